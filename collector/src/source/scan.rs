//! The syn walker: reads every Rust file of the service and records FromRow models (every
//! derive spelling, `cfg_attr` included, with their `#[sqlx(...)]` attributes), `sqlx::Type`
//! definitions, hand-written `impl FromRow`, each SQL call site (functions, macros,
//! `QueryBuilder::new`) with its SQL when statically known, and `sqlx::migrate!` invocations.
//!
//! Comments and doc comments are never code: syn drops comments and doc comments are
//! attributes this walker does not read. Lines come from proc-macro2's span locations.
//!
//! The walk and the SQL call sites are here; each type definition is read from its item in
//! `items`, and a type becomes text in `syntax` (both private modules).

mod items;
mod syntax;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gaps_core::backend::Backend;
use gaps_core::code::databases::ConnectionSite;
use gaps_core::code::model::{CodeEvidence, MigrateMacro, QuerySite, SourceProblem};
use gaps_core::code::session::link_function;
use gaps_core::code::sql::analyse;
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Lit, Token};

use super::attrs::{derives, effective_metas, path_is};
use super::connections;
use super::settings;
use super::sqltext::{
    ConstCollector, KnownSql, Parsed, eval_sql, line_of, manifest_dir, read_sql_file,
};

use syntax::{core_type, type_text};

/// Scans `files` (absolute paths under `root`) into code evidence. Unreadable or unparsable
/// files are recorded as problems; the scan carries on.
pub fn scan(root: &Path, files: &[PathBuf], backend: Backend) -> CodeEvidence {
    let mut ev = CodeEvidence {
        root: root.display().to_string(),
        ..CodeEvidence::default()
    };
    let mut parsed = Vec::new();
    for path in files {
        let rel = relative(root, path);
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                ev.problems.push(SourceProblem {
                    file: rel,
                    line: None,
                    message: format!("could not read the file: {e}"),
                });
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                ev.problems.push(SourceProblem {
                    file: rel,
                    line: None,
                    message: format!(
                        "not valid UTF-8 (first bad byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                });
                continue;
            }
        };
        match syn::parse_file(&text) {
            Ok(ast) => parsed.push(Parsed {
                mentions_sqlx: text.contains("sqlx"),
                rel,
                path: path.clone(),
                ast,
            }),
            Err(e) => ev.problems.push(SourceProblem {
                file: rel,
                line: Some(e.span().start().line as u32),
                message: format!("Rust syntax error: {e}"),
            }),
        }
    }
    ev.files_scanned = parsed.len() as u32;

    // Pass 1: string constants anywhere in the crate (`const SQL: &str = "..."`).
    let mut consts: HashMap<String, KnownSql> = HashMap::new();
    for p in &parsed {
        let mut c = ConstCollector {
            file: p,
            consts: &mut consts,
        };
        c.visit_file(&p.ast);
    }

    // Pass 2: everything else.
    for p in &parsed {
        let mut w = Walker {
            file: p,
            consts: &consts,
            locals: HashMap::new(),
            let_types: Vec::new(),
            return_types: Vec::new(),
            ev: &mut ev,
            backend,
            after_connect: 0,
        };
        w.visit_file(&p.ast);
    }
    ev.models
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    ev.sql_types
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    ev.manual_impls
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    ev.queries
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    ev.migrate_macros
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    ev.connections
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    ev.session_settings.sort();
    ev.session_settings.dedup();
    ev
}

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Runtime query functions and whether their rows decode into a target type.
const QUERY_FNS: &[(&str, bool)] = &[
    ("query", false),
    ("query_as", true),
    ("query_scalar", true),
    ("query_with", false),
    ("query_as_with", true),
    ("query_scalar_with", true),
    ("raw_sql", false),
];

/// Compile-time macros: (name, takes a target type first, reads a file).
const QUERY_MACROS: &[(&str, bool, bool)] = &[
    ("query", false, false),
    ("query_unchecked", false, false),
    ("query_as", true, false),
    ("query_as_unchecked", true, false),
    ("query_scalar", false, false),
    ("query_scalar_unchecked", false, false),
    ("query_file", false, true),
    ("query_file_unchecked", false, true),
    ("query_file_as", true, true),
    ("query_file_as_unchecked", true, true),
    ("query_file_scalar", false, true),
    ("query_file_scalar_unchecked", false, true),
];

struct Walker<'a> {
    file: &'a Parsed,
    consts: &'a HashMap<String, KnownSql>,
    locals: HashMap<String, KnownSql>,
    let_types: Vec<Option<String>>,
    return_types: Vec<Option<String>>,
    ev: &'a mut CodeEvidence,
    backend: Backend,
    /// How many `after_connect(...)` calls enclose the walker: a SET there applies to every
    /// connection of the pool.
    after_connect: u32,
}

impl Walker<'_> {
    fn is_sqlx_path(&self, p: &syn::Path) -> bool {
        if p.segments.len() == 1 {
            self.file.mentions_sqlx
        } else {
            p.segments.first().is_some_and(|s| s.ident == "sqlx")
        }
    }

    fn push_query(&mut self, mut q: QuerySite) {
        if q.not_checkable.is_none()
            && let Some(sql) = &q.sql
        {
            q.access = Some(analyse(sql, self.backend));
            if self.after_connect > 0 {
                self.ev
                    .session_settings
                    .extend(settings::from_after_connect(sql, &q.file, q.line));
            }
        }
        self.ev.queries.push(q);
    }

    fn connection(&mut self, line: u32, (api, argument): (String, String)) {
        self.ev.connections.push(ConnectionSite {
            file: self.file.rel.clone(),
            line,
            service_url: connections::service_url(&argument),
            api,
            argument,
        });
    }

    fn site(&self, line: u32, api: String) -> QuerySite {
        QuerySite {
            file: self.file.rel.clone(),
            line,
            api,
            macro_checked: false,
            sql: None,
            sql_origin: None,
            sql_line: None,
            target: None,
            target_origin: None,
            not_checkable: None,
            access: None,
            scope: Default::default(),
        }
    }

    /// The line the SQL text starts on, when it is a literal written in the file being walked.
    fn line_in_this_file(&self, k: &KnownSql) -> Option<u32> {
        k.at.as_ref()
            .filter(|(file, _)| *file == self.file.rel)
            .map(|(_, line)| *line)
    }

    fn inferred_target(&self) -> Option<(String, &'static str)> {
        if let Some(Some(t)) = self.let_types.last() {
            return Some((t.clone(), "let"));
        }
        if let Some(Some(t)) = self.return_types.last() {
            return Some((t.clone(), "return"));
        }
        None
    }

    fn query_call(&mut self, call: &syn::ExprCall, path: &syn::Path) {
        let Some(last) = path.segments.last() else {
            return;
        };
        let name = last.ident.to_string();
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let is_builder = name == "new" && segs.len() >= 2 && segs[segs.len() - 2] == "QueryBuilder";
        let entry = QUERY_FNS.iter().find(|(n, _)| *n == name);
        if !is_builder && (entry.is_none() || !self.is_sqlx_path(path)) {
            return;
        }
        let line = line_of(call);
        let api = if is_builder {
            "QueryBuilder::new".to_string()
        } else if segs.len() > 1 {
            format!("{}::{name}", segs[0])
        } else {
            name.clone()
        };
        let mut q = self.site(line, api);
        match call
            .args
            .first()
            .map(|a| eval_sql(a, self.file, self.consts, &self.locals))
        {
            Some(Ok(k)) => {
                q.sql_line = self.line_in_this_file(&k);
                q.sql = Some(k.text);
                q.sql_origin = Some(k.origin);
            }
            Some(Err(reason)) => q.not_checkable = Some(reason),
            None => q.not_checkable = Some("no SQL argument".into()),
        }
        if is_builder {
            q.not_checkable =
                Some("QueryBuilder appends SQL at runtime; only the initial text is known".into());
        }
        if let Some((_, decodes)) = entry
            && *decodes
        {
            // query_as::<_, T>, query_scalar::<_, T>
            if let syn::PathArguments::AngleBracketed(a) = &last.arguments {
                let types: Vec<&syn::Type> = a
                    .args
                    .iter()
                    .filter_map(|g| match g {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect();
                if let Some(t) = types.get(1) {
                    q.target = Some(type_text(*t));
                    q.target_origin = Some("turbofish".into());
                }
            }
            if q.target.is_none()
                && let Some((t, origin)) = self.inferred_target()
            {
                q.target = Some(t);
                q.target_origin = Some(origin.into());
            }
        }
        self.push_query(q);
    }

    fn macro_call(&mut self, mac: &syn::Macro) {
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        let name = last.ident.to_string();
        if name == "migrate" && self.is_sqlx_path(&mac.path) {
            let dir = mac
                .parse_body::<syn::LitStr>()
                .map(|l| l.value())
                .unwrap_or_else(|_| "./migrations".into());
            self.ev.migrate_macros.push(MigrateMacro {
                file: self.file.rel.clone(),
                line: line_of(mac),
                directory: dir,
            });
            return;
        }
        if let Some((_, typed, reads_file)) = QUERY_MACROS.iter().find(|(n, _, _)| *n == name)
            && self.is_sqlx_path(&mac.path)
        {
            let api = if mac.path.segments.len() > 1 {
                format!("sqlx::{name}!")
            } else {
                format!("{name}!")
            };
            let mut q = self.site(line_of(mac), api);
            q.macro_checked = !name.ends_with("_unchecked");
            let args = match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                Ok(a) => a,
                Err(e) => {
                    q.not_checkable = Some(format!("macro arguments not readable: {e}"));
                    self.push_query(q);
                    return;
                }
            };
            let mut it = args.iter();
            if *typed && let Some(t) = it.next() {
                q.target = Some(type_text(t));
                q.target_origin = Some("macro".into());
            }
            match it.next() {
                Some(Expr::Lit(l)) if matches!(l.lit, Lit::Str(_)) => {
                    let Lit::Str(s) = &l.lit else { unreachable!() };
                    if *reads_file {
                        let path = manifest_dir(&self.file.path).join(s.value());
                        match read_sql_file(&path) {
                            Ok(t) => {
                                q.sql = Some(t);
                                q.sql_origin = Some(format!("query_file {}", s.value()));
                            }
                            Err(e) => q.not_checkable = Some(e),
                        }
                    } else {
                        q.sql = Some(s.value());
                        q.sql_origin = Some("literal".into());
                        q.sql_line = Some(line_of(s));
                    }
                }
                Some(other) => match eval_sql(other, self.file, self.consts, &self.locals) {
                    Ok(k) => {
                        q.sql_line = self.line_in_this_file(&k);
                        q.sql = Some(k.text);
                        q.sql_origin = Some(k.origin);
                    }
                    Err(r) => q.not_checkable = Some(r),
                },
                None => q.not_checkable = Some("no SQL argument".into()),
            }
            self.push_query(q);
            // Arguments may themselves contain calls (rare); visit them.
            for a in it {
                self.visit_expr(a);
            }
            return;
        }
        // Any other macro whose body is a list of expressions (tokio::join!, vec!, ...): look
        // inside for SQL calls.
        if matches!(
            name.as_str(),
            "macro_rules" | "format" | "println" | "eprintln"
        ) {
            return;
        }
        if let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for a in &args {
                self.visit_expr(a);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        let metas = effective_metas(&s.attrs);
        let ds = derives(&metas);
        let sqlx = self.file.mentions_sqlx;
        if ds.iter().any(|p| path_is(p, "FromRow", sqlx)) {
            let model = items::model(s, &metas, &self.file.rel);
            self.ev.models.push(model);
        }
        if ds.iter().any(|p| path_is(p, "Type", sqlx)) {
            let def = items::sql_type_struct(s, &metas, &self.file.rel);
            self.ev.sql_types.push(def);
        }
        syn::visit::visit_item_struct(self, s);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        let metas = effective_metas(&e.attrs);
        if derives(&metas)
            .iter()
            .any(|p| path_is(p, "Type", self.file.mentions_sqlx))
        {
            let def = items::sql_type_enum(e, &metas, &self.file.rel);
            self.ev.sql_types.push(def);
        }
        syn::visit::visit_item_enum(self, e);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let Some(m) = items::manual_from_row(i, &self.file.rel) {
            self.ev.manual_impls.push(m);
        }
        syn::visit::visit_item_impl(self, i);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let rt = match &f.sig.output {
            syn::ReturnType::Type(_, t) => core_type(t),
            syn::ReturnType::Default => None,
        };
        self.return_types.push(rt);
        let saved = std::mem::take(&mut self.locals);
        let first = self.ev.queries.len();
        syn::visit::visit_item_fn(self, f);
        link_function(&mut self.ev.queries[first..]);
        self.locals = saved;
        self.return_types.pop();
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let rt = match &f.sig.output {
            syn::ReturnType::Type(_, t) => core_type(t),
            syn::ReturnType::Default => None,
        };
        self.return_types.push(rt);
        let saved = std::mem::take(&mut self.locals);
        let first = self.ev.queries.len();
        syn::visit::visit_impl_item_fn(self, f);
        link_function(&mut self.ev.queries[first..]);
        self.locals = saved;
        self.return_types.pop();
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        // A closure's rows type is not the enclosing function's.
        self.return_types.push(None);
        syn::visit::visit_expr_closure(self, c);
        self.return_types.pop();
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let (ident, ty) = match &l.pat {
            syn::Pat::Type(pt) => {
                let id = match &*pt.pat {
                    syn::Pat::Ident(pi) => Some(pi.ident.to_string()),
                    _ => None,
                };
                (id, core_type(&pt.ty))
            }
            syn::Pat::Ident(pi) => (Some(pi.ident.to_string()), None),
            _ => (None, None),
        };
        if let (Some(id), Some(init)) = (&ident, &l.init)
            && let Ok(k) = eval_sql(&init.expr, self.file, self.consts, &self.locals)
        {
            self.locals.insert(id.clone(), k);
        }
        self.let_types.push(ty);
        syn::visit::visit_local(self, l);
        self.let_types.pop();
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*call.func {
            self.query_call(call, &p.path);
            let args: Vec<&Expr> = call.args.iter().collect();
            if let Some(opened) = connections::from_call(&p.path, &args) {
                self.connection(line_of(call), opened);
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        if let Some(opened) = connections::from_method(mc) {
            self.connection(line_of(&mc.method), opened);
        }
        self.ev
            .session_settings
            .extend(settings::from_options_call(mc, &self.file.rel));
        if self.after_connect > 0
            && mc.method == "execute"
            && let Some(Ok(k)) = mc
                .args
                .first()
                .map(|a| eval_sql(a, self.file, self.consts, &self.locals))
        {
            // `conn.execute("SET search_path = app")` inside the hook.
            self.ev
                .session_settings
                .extend(settings::from_after_connect(
                    &k.text,
                    &self.file.rel,
                    line_of(&mc.method),
                ));
        }
        if mc.method == "after_connect" {
            self.after_connect += 1;
            syn::visit::visit_expr_method_call(self, mc);
            self.after_connect -= 1;
            return;
        }
        syn::visit::visit_expr_method_call(self, mc);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_call(mac);
    }
}

#[cfg(test)]
mod tests;
