//! Session settings the service's code applies to every connection: a `SET` run inside a
//! pool's `after_connect` hook (through `sqlx::query`, `raw_sql` or `conn.execute("...")`),
//! and `PgConnectOptions::options([("search_path", "app")])`. A `SET` anywhere else applies
//! to one connection only and is handled as a session dependency of the statements after it.

use gaps_core::service::CodeSetting;
use gaps_core::service::settings::{SETTINGS, settings_set_by};
use syn::{Expr, Lit};

/// The settings a SQL text run in `after_connect` applies, at `file:line`.
pub(super) fn from_after_connect(sql: &str, file: &str, line: u32) -> Vec<CodeSetting> {
    settings_set_by(sql)
        .into_iter()
        .map(|(name, value)| CodeSetting {
            name,
            value,
            file: file.to_string(),
            line,
            via: "after_connect".into(),
        })
        .collect()
}

/// The settings of `.options([("name", "value"), ...])` on connect options: an array, slice
/// or `vec!` of pairs of string literals naming one of the reported settings.
pub(super) fn from_options_call(mc: &syn::ExprMethodCall, file: &str) -> Vec<CodeSetting> {
    if mc.method != "options" || mc.args.len() != 1 {
        return Vec::new();
    }
    let mut arg = &mc.args[0];
    while let Expr::Reference(r) = arg {
        arg = &r.expr;
    }
    let items: Vec<&Expr> = match arg {
        Expr::Array(a) => a.elems.iter().collect(),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    for item in items {
        let Expr::Tuple(t) = item else { continue };
        let strs: Vec<String> = t.elems.iter().filter_map(string_of).collect();
        if let [name, value] = strs.as_slice() {
            let name = name.to_lowercase();
            if SETTINGS.contains(&name.as_str()) {
                out.push(CodeSetting {
                    name,
                    value: value.clone(),
                    file: file.to_string(),
                    line: super::sqltext::line_of(item),
                    via: "connect_options".into(),
                });
            }
        }
    }
    out
}

fn string_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Some(s.value()),
            _ => None,
        },
        _ => None,
    }
}
