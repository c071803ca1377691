//! gaps-site: renders snapshots and a gaps.md registry into one self-contained, offline HTML
//! report (inline CSS, scripts, charts and data; strict Content-Security-Policy).
//!
//! The entry point is [`build`]. Reading files and writing the result are the caller's job
//! (the `gaps report` command), so everything here is testable on strings.

pub mod charts;
pub mod embed;
pub mod html_depth;
pub mod markdown;
pub mod mojibake;
pub mod page;
#[cfg(any(test, feature = "testing"))]
pub mod sample;
pub mod status;
pub mod update;
pub mod view;
pub mod wasm;

use gaps_core::finding::Finding;

pub use page::{PageError, Templates};
pub use view::{NamedSnapshot, RegistryDoc};

/// What a report is built from.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// Snapshots in the order to show them.
    pub snapshots: Vec<NamedSnapshot>,
    /// The registry: (file name shown, text as read).
    pub registry: Option<(String, String)>,
    /// Templates (built-in unless overridden).
    pub templates: Templates,
    /// Extra inline scripts appended after the report's own (the diff viewer's glue and
    /// bootstrap). Each is hashed into the CSP; `'wasm-unsafe-eval'` is allowed only when
    /// there are some.
    pub extra_scripts: Vec<String>,
}

/// A built report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The whole page.
    pub html: String,
    /// The parsed registry, when one was given.
    pub registry: Option<RegistryDoc>,
    /// Snapshots with their findings (for `--write-gaps`).
    pub analysed: Vec<(NamedSnapshot, Vec<Finding>)>,
}

/// Parses a registry, repairing double-encoded UTF-8 first. Refused (naming the file and the
/// line) when it breaks the gaps.md size or nesting limits. The parsed prose is redacted
/// ([`gaps_core::gapsmd::Registry::redact_prose`]); `text` stays as written, for `--write-gaps`, and is
/// redacted where it is rendered ([`markdown::render`]).
pub fn load_registry(file: &str, text: &str) -> Result<RegistryDoc, PageError> {
    let repaired = mojibake::repair(text);
    let was_repaired = matches!(repaired, std::borrow::Cow::Owned(_));
    let text = repaired.into_owned();
    let mut registry = gaps_core::gapsmd::parse(&text).map_err(|error| PageError::Registry {
        file: file.to_string(),
        error,
    })?;
    registry.redact_prose();
    Ok(RegistryDoc {
        file: file.to_string(),
        registry,
        text,
        repaired: was_repaired,
    })
}

/// Builds the report page.
pub fn build(input: ReportInput) -> Result<Report, PageError> {
    let registry = input
        .registry
        .as_ref()
        .map(|(file, text)| load_registry(file, text))
        .transpose()?;
    let analysed: Vec<(NamedSnapshot, Vec<Finding>)> = input
        .snapshots
        .into_iter()
        .map(|n| {
            let f = gaps_core::rules::analyse(&n.snapshot);
            (n, f)
        })
        .collect();
    build_analysed(analysed, registry, &input.templates, &input.extra_scripts)
}

/// Builds the page from snapshots whose findings are already known (tests, benchmarks, and
/// callers that analysed already).
pub fn build_analysed(
    analysed: Vec<(NamedSnapshot, Vec<Finding>)>,
    registry: Option<RegistryDoc>,
    templates: &Templates,
    extra_scripts: &[String],
) -> Result<Report, PageError> {
    let view = view::report_view(&analysed, registry.as_ref());
    let data = embed::data_json(&analysed);
    let html = page::render(templates, &view, &data, extra_scripts)?;
    Ok(Report {
        html,
        registry,
        analysed,
    })
}

/// Cases per property test: `PROPTEST_CASES` when set (`scripts/fuzz` sets it high), else the
/// bounded default the normal test suite runs.
#[cfg(test)]
pub(crate) fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
