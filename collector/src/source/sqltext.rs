//! The SQL text of a call when it is statically known: string literals, `concat!`,
//! `include_str!`, `const`/`static` strings anywhere in the crate, local bindings and
//! `query_file!` paths (resolved against the crate's manifest directory); otherwise why not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Lit, Token};

/// One parsed file.
pub(super) struct Parsed {
    pub rel: String,
    pub path: PathBuf,
    pub ast: syn::File,
    pub mentions_sqlx: bool,
}

/// A statically known SQL text and where it came from.
#[derive(Debug, Clone)]
pub(super) struct KnownSql {
    pub text: String,
    pub origin: String,
    /// (file, line) where the text starts, when it is one string literal in a Rust file.
    pub at: Option<(String, u32)>,
}

/// The 1-based line a syntax node starts on.
pub(super) fn line_of<T: Spanned>(node: &T) -> u32 {
    node.span().start().line as u32
}

pub(super) struct ConstCollector<'a> {
    pub file: &'a Parsed,
    pub consts: &'a mut HashMap<String, KnownSql>,
}

impl<'ast> Visit<'ast> for ConstCollector<'_> {
    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        if let Ok(k) = eval_sql(&c.expr, self.file, &HashMap::new(), &HashMap::new()) {
            self.consts.insert(
                c.ident.to_string(),
                KnownSql {
                    text: k.text,
                    origin: format!("const {}", c.ident),
                    at: k.at,
                },
            );
        }
    }
    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        if let Ok(k) = eval_sql(&s.expr, self.file, &HashMap::new(), &HashMap::new()) {
            self.consts.insert(
                s.ident.to_string(),
                KnownSql {
                    text: k.text,
                    origin: format!("static {}", s.ident),
                    at: k.at,
                },
            );
        }
    }
}

/// The nearest directory at or above the file's that holds a Cargo.toml (sqlx resolves
/// `query_file!` paths against CARGO_MANIFEST_DIR).
pub(super) fn manifest_dir(file: &Path) -> PathBuf {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d.join("Cargo.toml").is_file() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

pub(super) fn read_sql_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

/// Evaluates an expression to a SQL text when it is statically known; otherwise says why not.
pub(super) fn eval_sql(
    e: &Expr,
    file: &Parsed,
    consts: &HashMap<String, KnownSql>,
    locals: &HashMap<String, KnownSql>,
) -> Result<KnownSql, String> {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Ok(KnownSql {
                text: s.value(),
                origin: "literal".into(),
                at: Some((file.rel.clone(), line_of(s))),
            }),
            _ => Err("not a string literal".into()),
        },
        Expr::Reference(r) => eval_sql(&r.expr, file, consts, locals),
        Expr::Paren(p) => eval_sql(&p.expr, file, consts, locals),
        Expr::Group(g) => eval_sql(&g.expr, file, consts, locals),
        Expr::Macro(m) => eval_macro(&m.mac, file, consts, locals),
        Expr::Path(p) => {
            let name = p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            if p.path.segments.len() == 1
                && let Some(k) = locals.get(&name)
            {
                return Ok(k.clone());
            }
            consts
                .get(&name)
                .cloned()
                .ok_or_else(|| format!("runtime string (variable `{}`)", path_text(&p.path)))
        }
        Expr::MethodCall(mc) => {
            let m = mc.method.to_string();
            if matches!(m.as_str(), "to_string" | "to_owned" | "as_str" | "into")
                && let Ok(k) = eval_sql(&mc.receiver, file, consts, locals)
            {
                return Ok(k);
            }
            Err(format!("runtime string (built by `.{m}()`)"))
        }
        Expr::Call(_) => Err("runtime string (returned by a function call)".into()),
        Expr::Binary(_) => Err("runtime string (built with `+`)".into()),
        _ => Err("runtime string".into()),
    }
}

fn eval_macro(
    mac: &syn::Macro,
    file: &Parsed,
    consts: &HashMap<String, KnownSql>,
    locals: &HashMap<String, KnownSql>,
) -> Result<KnownSql, String> {
    let name = mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    match name.as_str() {
        "concat" => {
            let args = mac
                .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                .map_err(|e| format!("concat! arguments: {e}"))?;
            let mut text = String::new();
            for a in &args {
                match a {
                    Expr::Lit(l) => match &l.lit {
                        Lit::Str(s) => text.push_str(&s.value()),
                        Lit::Int(i) => text.push_str(i.base10_digits()),
                        Lit::Char(c) => text.push(c.value()),
                        _ => return Err("concat! of a non-string literal".into()),
                    },
                    other => text.push_str(&eval_sql(other, file, consts, locals)?.text),
                }
            }
            Ok(KnownSql {
                text,
                origin: "concat".into(),
                at: None,
            })
        }
        "include_str" => {
            let lit: syn::LitStr = mac
                .parse_body()
                .map_err(|_| "include_str! of a computed path".to_string())?;
            let dir = file.path.parent().unwrap_or(Path::new("."));
            let target = dir.join(lit.value());
            Ok(KnownSql {
                text: read_sql_file(&target)?,
                origin: format!("include_str {}", lit.value()),
                at: None,
            })
        }
        "format" => Err("built at runtime with format!".into()),
        other => Err(format!("built at runtime by {other}!")),
    }
}

/// A path as written: `crate::db::SQL`.
fn path_text(p: &syn::Path) -> String {
    p.to_token_stream().to_string().replace(" :: ", "::")
}
