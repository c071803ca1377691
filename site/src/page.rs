//! Turns the view model into the single HTML file: the built-in tera templates (compiled in
//! with `include_str!`, overridable file by file), the inline assets, the packed snapshot data
//! ([`crate::embed`]) and a Content-Security-Policy that allows exactly the inline scripts and
//! style present (by SHA-256 hash) and nothing from the network.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::view::ReportView;

/// The placeholder `report.html` puts in its CSP meta tag; replaced after rendering, when the
/// hashes of the inline assets are known.
pub const CSP_PLACEHOLDER: &str = "__GAPS_CSP__";

/// Every template file and asset, with its built-in content.
const BUILTIN: [(&str, &str); 14] = [
    ("report.html", include_str!("../../templates/report.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    (
        "diagnosis.html",
        include_str!("../../templates/diagnosis.html"),
    ),
    ("summary.html", include_str!("../../templates/summary.html")),
    ("actions.html", include_str!("../../templates/actions.html")),
    (
        "migrations.html",
        include_str!("../../templates/migrations.html"),
    ),
    ("schema.html", include_str!("../../templates/schema.html")),
    ("code.html", include_str!("../../templates/code.html")),
    ("logs.html", include_str!("../../templates/logs.html")),
    ("health.html", include_str!("../../templates/health.html")),
    (
        "provider.html",
        include_str!("../../templates/provider.html"),
    ),
    (
        "registry.html",
        include_str!("../../templates/registry.html"),
    ),
    ("style.css", include_str!("../../templates/style.css")),
    ("report.js", include_str!("../../templates/report.js")),
];

/// Why a page could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// An override names a file that is not one of the templates.
    #[error("--templates: {name} is not a gaps template (known: {known})")]
    UnknownTemplate {
        /// The file name.
        name: String,
        /// The known names.
        known: String,
    },
    /// Tera rejected a template or failed to render.
    #[error("template error: {0}")]
    Template(String),
    /// The rendered page breaks a safety rule (missing CSP placeholder, altered assets, an
    /// unexpected inline script).
    #[error("refusing to write the report: {0}")]
    Unsafe(String),
    /// The gaps.md registry breaks the limits every gaps.md reader enforces.
    #[error("gaps.md registry {file}: {error}")]
    Registry {
        /// The file name shown.
        file: String,
        /// What is wrong, naming the line.
        error: gaps_core::gapsmd_limits::GapsMdError,
    },
}

/// The template set: built-ins with optional per-file overrides.
#[derive(Debug, Clone)]
pub struct Templates {
    files: BTreeMap<&'static str, String>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates::builtin()
    }
}

impl Templates {
    /// The templates compiled into gaps.
    pub fn builtin() -> Templates {
        Templates {
            files: BUILTIN.iter().map(|(n, c)| (*n, c.to_string())).collect(),
        }
    }

    /// Names of every template and asset file.
    pub fn names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// Replaces one file.
    pub fn set(&mut self, name: &str, content: String) -> Result<(), PageError> {
        let Some((key, _)) = BUILTIN.iter().find(|(n, _)| *n == name) else {
            return Err(PageError::UnknownTemplate {
                name: name.to_string(),
                known: Templates::names().join(", "),
            });
        };
        self.files.insert(key, content);
        Ok(())
    }

    /// The content of one file.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// A tera instance with every `.html` file (autoescaping on).
    pub fn tera(&self) -> Result<tera::Tera, PageError> {
        let mut t = tera::Tera::default();
        t.autoescape_on(vec![".html"]);
        // HTML escaping plus visible escapes for NUL, control and bidi characters.
        t.set_escape_fn(gaps_core::escape::html);
        t.add_raw_templates(
            self.files
                .iter()
                .filter(|(n, _)| n.ends_with(".html"))
                .map(|(n, c)| (*n, c.as_str())),
        )
        .map_err(|e| PageError::Template(tera_message(&e)))?;
        Ok(t)
    }
}

/// Tera's error with its causes, which carry the useful part (file, line).
pub fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// The inline assets handed to templates.
#[derive(Debug, Clone, Serialize)]
pub struct Assets {
    /// The stylesheet.
    pub css: String,
    /// Inline scripts, in order.
    pub scripts: Vec<String>,
    /// `{"snapshots": [...], "findings": [...]}` gzip-compressed and base64-encoded
    /// ([`crate::embed::pack`]), for `<script type="application/octet-stream" id="gaps-data-gz">`.
    pub data_gz: String,
}

/// `'sha256-<base64>'` of a script or style body.
pub fn csp_hash(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy for a page with these inline scripts and stylesheet.
pub fn csp(scripts: &[String], css: &str, wasm: bool) -> String {
    let mut script_src: Vec<String> = scripts.iter().map(|s| csp_hash(s)).collect();
    if wasm {
        script_src.push("'wasm-unsafe-eval'".into());
    }
    if script_src.is_empty() {
        script_src.push("'none'".into());
    }
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        script_src.join(" "),
        csp_hash(css)
    )
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.match_indices(needle).count()
}

/// Renders the page and seals it with its CSP. `data_json` is the embedded data
/// ([`crate::embed::data_json`]); it is packed here.
pub fn render(
    templates: &Templates,
    view: &ReportView,
    data_json: &str,
    extra_scripts: &[String],
) -> Result<String, PageError> {
    let tera = templates.tera()?;
    let css = templates.get("style.css").unwrap_or_default().to_string();
    let mut scripts = vec![
        templates.get("report.js").unwrap_or_default().to_string(),
        crate::embed::LOADER_JS.to_string(),
    ];
    scripts.extend(extra_scripts.iter().cloned());
    scripts.retain(|s| !s.trim().is_empty());
    let assets = Assets {
        css,
        scripts,
        data_gz: crate::embed::pack(data_json),
    };
    let mut ctx = tera::Context::new();
    ctx.insert("report", view);
    ctx.insert("assets", &assets);
    let html = tera
        .render("report.html", &ctx)
        .map_err(|e| PageError::Template(tera_message(&e)))?;
    seal(page_safe(html), &assets, !extra_scripts.is_empty())
}

/// The page with every character invalid in HTML (NUL, C0 and C1 controls other than
/// whitespace, noncharacters) and every bidi or invisible format character made visible
/// (`\u{0}`), wherever it came from: a value tera did not escape (the rendered gaps.md, chart
/// SVG text) or a template override. Escaped values never hold one, so this usually returns
/// the page as it was.
pub fn page_safe(html: String) -> String {
    let keep = |c: char| matches!(c, '\n' | '\t' | '\r');
    if !html
        .chars()
        .any(|c| gaps_core::escape::is_unsafe(c) && !keep(c))
    {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    for c in html.chars() {
        if gaps_core::escape::is_unsafe(c) && !keep(c) {
            gaps_core::escape::push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// The packed data element, exactly as `report.html` must emit it.
pub fn packed_data_block(data_gz: &str) -> String {
    format!(
        "<script type=\"application/octet-stream\" id=\"{}\">{data_gz}</script>",
        crate::embed::PACKED_ID
    )
}

/// The empty element the loader fills with the JSON text, exactly as `report.html` must emit it.
pub const JSON_DATA_BLOCK: &str =
    "<script type=\"application/json\" id=\"gaps-data\" data-state=\"loading\"></script>";

/// Checks the rendered page holds exactly our inline scripts and stylesheet, then fills in the
/// CSP. Everything else in the page was escaped, so a `<script` or `<style` we did not put
/// there means a template let unescaped text through: refuse rather than publish it.
fn seal(html: String, assets: &Assets, wasm: bool) -> Result<String, PageError> {
    if count(&html, CSP_PLACEHOLDER) != 1 {
        return Err(PageError::Unsafe(format!(
            "report.html must contain the CSP placeholder {CSP_PLACEHOLDER} exactly once (in <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP_PLACEHOLDER}\">)"
        )));
    }
    let lower = html.to_ascii_lowercase();
    let expected_scripts = assets.scripts.len() + 2;
    if count(&lower, "<script") != expected_scripts {
        return Err(PageError::Unsafe(format!(
            "expected {expected_scripts} <script> elements (the two data blocks and {} inline script(s)), found {}",
            assets.scripts.len(),
            count(&lower, "<script")
        )));
    }
    for (i, s) in assets.scripts.iter().enumerate() {
        if !html.contains(&format!("<script>{s}</script>")) {
            return Err(PageError::Unsafe(format!(
                "inline script {} must be emitted exactly as <script>{{{{ script | safe }}}}</script> so its hash matches",
                i + 1
            )));
        }
    }
    if count(&lower, "<style") != 1 || !html.contains(&format!("<style>{}</style>", assets.css)) {
        return Err(PageError::Unsafe(
            "the stylesheet must appear once, as <style>{{ assets.css | safe }}</style>".into(),
        ));
    }
    if !html.contains(&packed_data_block(&assets.data_gz)) {
        return Err(PageError::Unsafe(format!(
            "the packed data must be {}",
            packed_data_block("{{ assets.data_gz | safe }}")
        )));
    }
    if count(&html, JSON_DATA_BLOCK) != 1 {
        return Err(PageError::Unsafe(format!(
            "report.html must contain {JSON_DATA_BLOCK} once (the loader fills it)"
        )));
    }
    let policy = csp(&assets.scripts, &assets.css, wasm);
    Ok(html.replacen(CSP_PLACEHOLDER, &policy, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hash_matches_the_browser_algorithm() {
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }

    #[test]
    fn csp_allows_nothing_from_the_network() {
        let p = csp(&["a()".into()], "b{}", false);
        assert!(p.starts_with("default-src 'none'; script-src 'sha256-"));
        assert!(!p.contains("unsafe-inline"));
        assert!(!p.contains("wasm-unsafe-eval"));
        assert!(p.contains("img-src data:"));
        assert!(csp(&["a()".into()], "b{}", true).contains("'wasm-unsafe-eval'"));
    }

    #[test]
    fn characters_invalid_in_html_are_made_visible() {
        let page = page_safe("<p>a\u{0}b\u{1b}[31m\u{202e}c\u{9b}</p>\n\t\r\n".to_string());
        assert_eq!(page, "<p>a\\u{0}b\\u{1b}[31m\\u{202e}c\\u{9b}</p>\n\t\r\n");
        let plain = "<p>café 日本</p>\n".to_string();
        assert_eq!(page_safe(plain.clone()), plain);
    }

    #[test]
    fn unknown_override_names_the_known_files() {
        let err = Templates::builtin()
            .set("nope.html", String::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nope.html") && err.contains("schema.html"),
            "{err}"
        );
    }
}
