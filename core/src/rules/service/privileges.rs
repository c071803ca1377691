//! `privilege_missing`: the privileges a statement needs, against what the service role holds.
//! PostgreSQL checks (measured on 15): USAGE on a schema written in a name at parse; at
//! executor start SELECT on every relation read (a column read in WHERE, RETURNING or an ON
//! CONFLICT target included), INSERT/UPDATE/DELETE on the target (UPDATE for ON CONFLICT DO
//! UPDATE), EXECUTE on each function; per row, USAGE or UPDATE on the sequence of a
//! `serial`/`nextval` default the INSERT leaves to fire (an identity column needs none). A
//! role holding a privilege on some columns only is judged column by column, and only on the
//! columns the analysis resolved. A superuser passes every check.

use std::collections::BTreeMap;

use crate::actions;
use crate::backend::Backend;
use crate::code::sql::{Access, ConflictAction, WriteKind, WriteShape};
use crate::finding::{Finding, FindingKind, Severity};
use crate::schema::Table;
use crate::service::{Privilege, ServiceEvidence};

use super::judged::{Ctx, Resolved, Stmt};
use super::names::{Stage, grantee, pg_ident, predicts, qualified};

/// The columns a need is about.
#[derive(Debug, Clone, PartialEq)]
enum Columns {
    /// These (resolved by the analysis; maybe not all of them).
    Known(Vec<String>),
    /// Every column (`*`).
    All,
}

pub(super) fn check(ctx: &Ctx, s: &Stmt) -> Vec<Finding> {
    let Some(service) = ctx.service else {
        return Vec::new();
    };
    if service.is_superuser() {
        return Vec::new();
    }
    let mut out = schema_usage(ctx, service, s);
    out.extend(relations(ctx, service, s));
    out.extend(sequences(ctx, service, s));
    out.extend(functions(ctx, service, s));
    out
}

fn base(ctx: &Ctx, s: &Stmt, service: &ServiceEvidence, message: String) -> Finding {
    let f = Finding::new(
        FindingKind::PrivilegeMissing,
        Severity::Error,
        actions::TABLES,
        message,
    )
    .location(s.site.file.clone(), Some(s.line()))
    .detail("role", service.role.clone());
    let _ = ctx;
    f
}

/// The SQLSTATE and MySQL error number of a refused privilege.
fn refused(backend: Backend, column: bool) -> (&'static str, Option<u32>) {
    match backend {
        Backend::Mysql => ("42000", Some(if column { 1143 } else { 1142 })),
        _ => ("42501", None),
    }
}

/// USAGE on each schema written in a table name (Postgres; MySQL has no schema privilege).
fn schema_usage(ctx: &Ctx, service: &ServiceEvidence, s: &Stmt) -> Vec<Finding> {
    if ctx.backend != Backend::Postgres {
        return Vec::new();
    }
    let mut schemas: Vec<&str> =
        s.st.tables
            .iter()
            .filter_map(|t| t.schema.as_deref())
            .chain(s.st.functions.iter().filter_map(|f| f.schema.as_deref()))
            .filter(|sch| !matches!(*sch, "pg_catalog" | "pg_temp" | "information_schema"))
            .collect();
    schemas.sort();
    schemas.dedup();
    let mut out = Vec::new();
    for schema in schemas {
        if service.schema_usage(schema) != Some(false)
            || !ctx.live.schemas.iter().any(|x| x == schema)
        {
            continue;
        }
        let grant = format!(
            "GRANT USAGE ON SCHEMA {} TO {};",
            pg_ident(schema),
            grantee(ctx.backend, &service.role)
        );
        let f = base(
            ctx,
            s,
            service,
            format!(
                "{}: the service role {} may not use schema {schema}, which this statement \
                 names: it fails with \"permission denied for schema {schema}\" (SQLSTATE \
                 42501)",
                s.at(),
                service.role
            ),
        )
        .schema(schema)
        .expected("USAGE")
        .live("no USAGE")
        .detail("object", "schema")
        .detail("privilege", "USAGE")
        .detail("grant", grant.clone())
        .next_step(format!("as the schema's owner: {grant}"));
        out.push(predicts(f, "42501", None, Stage::Parse));
    }
    out
}

/// What a statement needs on one relation: each privilege, and the columns it needs it on
/// (None: not known).
type Needs<'a> = (&'a Table, Vec<(Privilege, Option<Columns>)>);

/// The privileges the statement needs on each relation it uses, by (schema, name).
fn needs<'a>(ctx: &Ctx<'a>, s: &Stmt) -> BTreeMap<(String, String), Needs<'a>> {
    let mut map: BTreeMap<(String, String), Needs<'a>> = BTreeMap::new();
    for t in &s.st.tables {
        let Resolved::Table(live) = ctx.resolve_for_service(t) else {
            continue;
        };
        let entry = map
            .entry((live.schema.clone(), live.name.clone()))
            .or_insert((live, Vec::new()));
        let reads: Vec<String> =
            s.st.columns
                .iter()
                .filter(|c| c.table == t.name && c.access == Access::Read)
                .map(|c| c.column.clone())
                .collect();
        let star =
            s.st.output
                .iter()
                .any(|o| o.star && o.table.as_deref() == Some(t.name.as_str()));
        let writes: Vec<&WriteShape> =
            s.st.writes
                .iter()
                .filter(|w| w.table == t.name && w.schema == t.schema)
                .collect();
        let conflict_reads = writes.iter().any(|w| {
            w.conflict
                .as_ref()
                .is_some_and(|c| !c.columns.is_empty() || c.constraint.is_some())
        });
        if t.access == Access::Read || !reads.is_empty() || star || conflict_reads {
            let cols = if star {
                Columns::All
            } else {
                Columns::Known(reads)
            };
            entry.1.push((Privilege::Select, Some(cols)));
        }
        if t.access == Access::Write {
            for w in writes {
                let p = match w.kind {
                    WriteKind::Insert => Privilege::Insert,
                    WriteKind::Update => Privilege::Update,
                    WriteKind::Delete => Privilege::Delete,
                };
                let cols = (w.kind != WriteKind::Delete && w.has_column_list())
                    .then(|| Columns::Known(w.columns.clone()));
                entry.1.push((p, cols));
                if w.conflict
                    .as_ref()
                    .is_some_and(|c| c.action == ConflictAction::Update)
                {
                    entry.1.push((Privilege::Update, None));
                }
            }
        }
    }
    for (_, needs) in map.values_mut() {
        needs.dedup();
    }
    map
}

fn relations(ctx: &Ctx, service: &ServiceEvidence, s: &Stmt) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut said: Vec<(String, String, Privilege)> = Vec::new();
    for ((schema, name), (live, needs)) in needs(ctx, s) {
        let Some(tp) = service.table(&schema, &name) else {
            continue;
        };
        for (p, cols) in needs {
            if tp.holds(p) || said.contains(&(schema.clone(), name.clone(), p)) {
                continue;
            }
            let missing_columns = if tp.on_some_columns.contains(&p) {
                match missing_columns(service, live, p, cols.as_ref()) {
                    Some(cols) if !cols.is_empty() => Some(cols),
                    // Every column it needs is granted, or which ones is not known.
                    _ => continue,
                }
            } else {
                None
            };
            said.push((schema.clone(), name.clone(), p));
            out.push(relation_finding(ctx, service, s, live, p, missing_columns));
        }
    }
    out
}

/// The needed columns of `live` the role lacks `p` on, when they are known.
fn missing_columns(
    service: &ServiceEvidence,
    live: &Table,
    p: Privilege,
    cols: Option<&Columns>,
) -> Option<Vec<String>> {
    let granted = service.columns.data()?;
    let of_table: Vec<_> = granted
        .iter()
        .filter(|c| c.schema == live.schema && c.table == live.name)
        .collect();
    let wanted: Vec<String> = match cols? {
        Columns::All => live.columns.iter().map(|c| c.name.clone()).collect(),
        Columns::Known(v) => v.clone(),
    };
    let mut missing = Vec::new();
    for w in wanted {
        let c = of_table.iter().find(|c| c.column == w)?;
        if !c.held.contains(&p) {
            missing.push(w);
        }
    }
    Some(missing)
}

fn relation_finding(
    ctx: &Ctx,
    service: &ServiceEvidence,
    s: &Stmt,
    live: &Table,
    p: Privilege,
    columns: Option<Vec<String>>,
) -> Finding {
    let object = qualified(ctx.backend, &live.schema, &live.name);
    let who = grantee(ctx.backend, &service.role);
    let (grant, what, server) = match &columns {
        Some(cols) => {
            let list: Vec<String> = cols
                .iter()
                .map(|c| match ctx.backend {
                    Backend::Mysql => super::names::my_ident(c),
                    _ => pg_ident(c),
                })
                .collect();
            (
                format!(
                    "GRANT {} ({}) ON {object} TO {who};",
                    p.sql(),
                    list.join(", ")
                ),
                format!(
                    "column{} {} of {}.{}",
                    if cols.len() == 1 { "" } else { "s" },
                    cols.join(", "),
                    live.schema,
                    live.name
                ),
                match ctx.backend {
                    Backend::Mysql => {
                        format!("{} command denied ... for column '{}'", p.sql(), cols[0])
                    }
                    _ => format!("permission denied for table {}", live.name),
                },
            )
        }
        None => (
            format!("GRANT {} ON {object} TO {who};", p.sql()),
            format!("table {}.{}", live.schema, live.name),
            match ctx.backend {
                Backend::Mysql => {
                    format!("{} command denied ... for table '{}'", p.sql(), live.name)
                }
                _ => format!("permission denied for table {}", live.name),
            },
        ),
    };
    let (sqlstate, number) = refused(ctx.backend, columns.is_some());
    let mut f = base(
        ctx,
        s,
        service,
        format!(
            "{}: the service role {} lacks {} on {what}: executing this statement fails with \
             \"{server}\" (SQLSTATE {sqlstate}); Describe does not check privileges",
            s.at(),
            service.role,
            p.sql()
        ),
    )
    .schema(live.schema.clone())
    .table(live.name.clone())
    .expected(p.sql())
    .live(if columns.is_some() {
        "granted on some columns only"
    } else {
        "not granted"
    })
    .detail("object", if columns.is_some() { "column" } else { "table" })
    .detail("privilege", p.sql())
    .detail("grant", grant.clone())
    .next_step(format!("as the table's owner: {grant}"));
    if let Some(cols) = &columns {
        f = f.column(cols.join(", "));
    }
    predicts(f, sqlstate, number, Stage::Execute)
}

/// A sequence name as a default or call writes it (`'app.seq'`, `'"Seq"'`) -> (schema, name).
fn sequence_name(text: &str) -> (Option<String>, String) {
    let parts: Vec<String> = text
        .split('.')
        .map(|p| {
            let p = p.trim();
            match p.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                Some(q) => q.replace("\"\"", "\""),
                None => p.to_lowercase(),
            }
        })
        .collect();
    match parts.as_slice() {
        [one] => (None, one.clone()),
        [.., s, n] => (Some(s.clone()), n.clone()),
        [] => (None, String::new()),
    }
}

/// The sequence of a `nextval('...'::regclass)` default.
fn nextval_default(default: &str) -> Option<String> {
    let lower = default.to_ascii_lowercase();
    let at = lower.find("nextval('")?;
    let rest = &default[at + "nextval('".len()..];
    let end = rest.find('\'')?;
    Some(rest[..end].to_string())
}

fn sequences(ctx: &Ctx, service: &ServiceEvidence, s: &Stmt) -> Vec<Finding> {
    if ctx.backend != Backend::Postgres {
        return Vec::new();
    }
    let Some(seqs) = service.sequences.data() else {
        return Vec::new();
    };
    // Defaults print a sequence relative to gaps' own search_path.
    let find = |written: &str| {
        let (schema, name) = sequence_name(written);
        match schema {
            Some(sch) => seqs.iter().find(|q| q.schema == sch && q.name == name),
            None => ctx
                .gaps_path
                .iter()
                .flatten()
                .find_map(|sch| seqs.iter().find(|q| &q.schema == sch && q.name == name)),
        }
    };
    let mut uses: Vec<(String, &'static str)> = Vec::new();
    for w in s.st.writes.iter().filter(|w| w.kind == WriteKind::Insert) {
        let Some(t) =
            s.st.tables
                .iter()
                .find(|t| t.name == w.table && t.schema == w.schema)
        else {
            continue;
        };
        let Resolved::Table(live) = ctx.resolve_for_service(t) else {
            continue;
        };
        for c in super::writes::omitted(ctx, live, w).unwrap_or_default() {
            if let Some(seq) = c.default.as_deref().and_then(nextval_default) {
                uses.push((seq, "nextval"));
            }
        }
    }
    for f in &s.st.functions {
        if let Some(seq) = &f.sequence {
            let func = match f.name.to_ascii_lowercase().as_str() {
                "nextval" => "nextval",
                "currval" => "currval",
                _ => "setval",
            };
            uses.push((seq.clone(), func));
        }
    }
    uses.sort();
    uses.dedup();
    let mut out = Vec::new();
    for (written, func) in uses {
        let Some(seq) = find(&written) else { continue };
        let allowed = match func {
            "nextval" => seq.may_nextval(),
            "currval" => {
                seq.held.contains(&Privilege::Select) || seq.held.contains(&Privilege::Usage)
            }
            _ => seq.held.contains(&Privilege::Update),
        };
        if allowed {
            continue;
        }
        let p = if func == "setval" { "UPDATE" } else { "USAGE" };
        let grant = format!(
            "GRANT {p} ON SEQUENCE {} TO {};",
            qualified(ctx.backend, &seq.schema, &seq.name),
            grantee(ctx.backend, &service.role)
        );
        let f = base(
            ctx,
            s,
            service,
            format!(
                "{}: the service role {} may not call {func} on sequence {}.{} ({}): every row \
                 this statement inserts fails with \"permission denied for sequence {}\" \
                 (SQLSTATE 42501)",
                s.at(),
                service.role,
                seq.schema,
                seq.name,
                if func == "nextval" {
                    "a serial column's default the statement leaves to fire, or an explicit nextval"
                } else {
                    "called in the statement"
                },
                seq.name
            ),
        )
        .schema(seq.schema.clone())
        .expected(p)
        .live("not granted")
        .detail("object", "sequence")
        .detail("sequence", seq.name.clone())
        .detail("privilege", p)
        .detail("grant", grant.clone())
        .next_step(format!("as the sequence's owner: {grant}"));
        out.push(predicts(f, "42501", None, Stage::Row));
    }
    out
}

fn functions(ctx: &Ctx, service: &ServiceEvidence, s: &Stmt) -> Vec<Finding> {
    if ctx.backend != Backend::Postgres {
        return Vec::new();
    }
    let Some(denied) = service.functions.data() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in &s.st.functions {
        let found = denied.iter().find(|d| {
            d.name == f.name
                && d.executable == 0
                && match &f.schema {
                    Some(sch) => &d.schema == sch,
                    None => {
                        !d.executable_elsewhere
                            && (d.schema == "pg_catalog"
                                || ctx.service_path.iter().flatten().any(|p| p == &d.schema))
                    }
                }
        });
        let Some(d) = found else { continue };
        let who = grantee(ctx.backend, &service.role);
        let grants: Vec<String> = d
            .denied
            .iter()
            .map(|args| {
                format!(
                    "GRANT EXECUTE ON FUNCTION {}({args}) TO {who};",
                    qualified(ctx.backend, &d.schema, &d.name)
                )
            })
            .collect();
        let f = base(
            ctx,
            s,
            service,
            format!(
                "{}: the service role {} may not execute function {}.{}: executing this \
                 statement fails with \"permission denied for function {}\" (SQLSTATE 42501)",
                s.at(),
                service.role,
                d.schema,
                d.name,
                d.name
            ),
        )
        .schema(d.schema.clone())
        .expected("EXECUTE")
        .live("not granted")
        .detail("object", "function")
        .detail("function", d.name.clone())
        .detail("privilege", "EXECUTE")
        .detail("grant", grants.join(" "))
        .next_step(format!("as the function's owner: {}", grants.join(" ")));
        out.push(predicts(f, "42501", None, Stage::Execute));
    }
    out
}
