//! The shape of a write against the live table: `insert_missing_not_null` (an INSERT, or an
//! upsert's insert part, that leaves out a NOT NULL column with no default, not identity,
//! serial or generated, that no trigger, rule or domain default fills) and
//! `on_conflict_target_missing` (an ON CONFLICT column list no unique index or constraint
//! matches: PostgreSQL finds the arbiter index when it plans the statement, after Describe).

use crate::actions;
use crate::backend::Backend;
use crate::code::expected::ObjectKind;
use crate::code::sql::{InsertSource, WriteKind, WriteShape};
use crate::finding::{Finding, FindingKind, Severity};
use crate::schema::{Catalog, Column, Table, TableKind};

use super::judged::{Ctx, Resolved, Stmt};
use super::names::{Stage, predicts};

/// The columns of `live` an INSERT leaves to their defaults, when that is known: those not in
/// its column list, those after the VALUES width without one, all of them for DEFAULT VALUES.
pub(super) fn omitted<'t>(ctx: &Ctx, live: &'t Table, w: &WriteShape) -> Option<Vec<&'t Column>> {
    let same = |a: &str, b: &str| match ctx.backend {
        Backend::Postgres => a == b,
        _ => a.eq_ignore_ascii_case(b),
    };
    let mut cols: Vec<&Column> = live.columns.iter().collect();
    cols.sort_by_key(|c| c.ordinal);
    if w.has_column_list() {
        return Some(
            cols.into_iter()
                .filter(|c| !w.columns.iter().any(|x| same(x, &c.name)))
                .collect(),
        );
    }
    match w.source? {
        InsertSource::DefaultValues => Some(cols),
        InsertSource::Values { width } => Some(cols.into_iter().skip(width as usize).collect()),
        InsertSource::Query | InsertSource::Set => None,
    }
}

/// SQLite's `INTEGER PRIMARY KEY`: an alias of the rowid, filled when left out.
fn is_rowid_alias(t: &Table, c: &Column) -> bool {
    c.data_type.eq_ignore_ascii_case("integer")
        && t.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0] == c.name)
}

/// The live table an INSERT targets, for the service role.
fn target<'a>(ctx: &Ctx<'a>, s: &Stmt, w: &WriteShape) -> Option<&'a Table> {
    let t =
        s.st.tables
            .iter()
            .find(|t| t.name == w.table && t.schema == w.schema)?;
    match ctx.resolve_for_service(t) {
        Resolved::Table(live) => Some(live),
        _ => None,
    }
}

pub(super) fn not_null(ctx: &Ctx, s: &Stmt) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in
        s.st.writes
            .iter()
            .filter(|w| w.kind == WriteKind::Insert && !w.ignore)
    {
        let Some(live) = target(ctx, s, w) else {
            continue;
        };
        if !matches!(live.kind, TableKind::Table | TableKind::PartitionedTable)
            || !ctx.live.sees(Catalog::Columns, &live.schema, &live.name)
        {
            continue;
        }
        // What fills a left-out value besides the column's own definition.
        let hooks = match ctx.backend {
            Backend::Sqlite => None,
            _ => match ctx.service.and_then(|sv| sv.write_hooks.data()) {
                Some(h) => Some(h),
                None => continue,
            },
        };
        if let Some(h) = hooks {
            if h.fills(&live.schema, &live.name) {
                continue;
            }
            // MySQL/MariaDB outside strict mode store an implicit default instead.
            if ctx.backend == Backend::Mysql && h.strict() != Some(true) {
                continue;
            }
        }
        let Some(left_out) = omitted(ctx, live, w) else {
            continue;
        };
        for c in left_out {
            if c.nullable
                || c.default.is_some()
                || c.identity.is_some()
                || c.generated.is_some()
                || hooks.is_some_and(|h| h.domain_default(&live.schema, &live.name, &c.name))
                || (ctx.backend == Backend::Sqlite && is_rowid_alias(live, c))
            {
                continue;
            }
            out.push(finding(ctx, s, live, c, w));
        }
    }
    out
}

fn finding(ctx: &Ctx, s: &Stmt, live: &Table, c: &Column, w: &WriteShape) -> Finding {
    let (sqlstate, number, server) = match ctx.backend {
        Backend::Postgres => (
            "23502",
            None,
            format!(
                "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                c.name, live.name
            ),
        ),
        Backend::Mysql => (
            "HY000",
            Some(1364),
            format!("Field '{}' doesn't have a default value", c.name),
        ),
        Backend::Sqlite => (
            "1299",
            None,
            format!("NOT NULL constraint failed: {}.{}", live.name, c.name),
        ),
    };
    let made = ctx.snapshot.expected_schema.data().and_then(|e| {
        e.origins_of(ObjectKind::Column, &live.name, Some(&c.name))
            .rev()
            .find(|o| o.action == "set not null")
            .or_else(|| e.created_by(ObjectKind::Column, &live.name, Some(&c.name)))
    });
    let upsert = if w.conflict.is_some() {
        " (the insert part of this upsert)"
    } else {
        ""
    };
    let rows = if w.source.is_some_and(InsertSource::always_inserts) {
        "executing it fails"
    } else {
        "every row it inserts fails"
    };
    let mut message = format!(
        "{}: this INSERT{upsert} leaves out {}.{}, which is NOT NULL with no default: {rows} \
         with \"{server}\" ({})",
        s.at(),
        live.name,
        c.name,
        match number {
            Some(n) => format!("error {n}, SQLSTATE {sqlstate}"),
            None if ctx.backend == Backend::Sqlite => format!("SQLite error {sqlstate}"),
            None => format!("SQLSTATE {sqlstate}"),
        }
    );
    let mut f = Finding::new(
        FindingKind::InsertMissingNotNull,
        Severity::Error,
        actions::COLUMNS,
        String::new(),
    )
    .location(s.site.file.clone(), Some(s.line()))
    .schema(live.schema.clone())
    .table(live.name.clone())
    .column(c.name.clone())
    .expected("a value for every NOT NULL column without default")
    .live(format!("{} {} NOT NULL, no default", c.name, c.data_type))
    .next_step(format!(
        "add {} to the INSERT's column list (with its value) at {}, or give the column a \
         default in a new migration (ALTER TABLE {} ALTER COLUMN {} SET DEFAULT ...)",
        c.name,
        s.at(),
        live.name,
        c.name
    ));
    if let Some(o) = made {
        message.push_str(&format!(
            "; {} made it NOT NULL ({}:{})",
            o.file, o.file, o.line
        ));
        f = f
            .migration(o.version)
            .detail("made_not_null_by", o.file.clone())
            .detail("made_not_null_line", o.line);
    }
    f.message = message;
    predicts(f, sqlstate, number, Stage::Row)
}

pub(super) fn conflict_target(ctx: &Ctx, s: &Stmt) -> Vec<Finding> {
    if ctx.backend != Backend::Postgres {
        return Vec::new();
    }
    let mut out = Vec::new();
    for w in &s.st.writes {
        let Some(conflict) = &w.conflict else {
            continue;
        };
        if conflict.columns.is_empty() || conflict.constraint.is_some() {
            continue;
        }
        let Some(live) = target(ctx, s, w) else {
            continue;
        };
        if !matches!(live.kind, TableKind::Table | TableKind::PartitionedTable)
            || !ctx.live.sees(Catalog::Keys, &live.schema, &live.name)
            || !ctx.live.sees(Catalog::Indexes, &live.schema, &live.name)
        {
            continue;
        }
        let mut wanted: Vec<&str> = conflict.columns.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let same = |cols: &[String]| {
            let mut v: Vec<&str> = cols.iter().map(String::as_str).collect();
            v.sort_unstable();
            v.dedup();
            v == wanted
        };
        let matched = live.primary_key.iter().any(|k| same(&k.columns))
            || live.unique_constraints.iter().any(|k| same(&k.columns))
            || live.indexes.iter().any(|i| i.unique && same(&i.columns));
        if matched {
            continue;
        }
        let mut keys: Vec<String> = live
            .primary_key
            .iter()
            .chain(&live.unique_constraints)
            .map(|k| format!("({})", k.columns.join(", ")))
            .chain(
                live.indexes
                    .iter()
                    .filter(|i| i.unique)
                    .map(|i| format!("({})", i.columns.join(", "))),
            )
            .collect();
        keys.sort();
        keys.dedup();
        let cols = conflict.columns.join(", ");
        let f = Finding::new(
            FindingKind::OnConflictTargetMissing,
            Severity::Error,
            actions::COLUMNS,
            format!(
                "{}: ON CONFLICT ({cols}) names no unique index or constraint of {}.{} (its \
                 unique keys: {}): executing it fails with \"there is no unique or exclusion \
                 constraint matching the ON CONFLICT specification\" (SQLSTATE 42P10); \
                 Describe does not plan the statement, so it passed",
                s.at(),
                live.schema,
                live.name,
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            ),
        )
        .location(s.site.file.clone(), Some(s.line()))
        .schema(live.schema.clone())
        .table(live.name.clone())
        .column(cols.clone())
        .expected(format!("a unique index on ({cols})"))
        .live(if keys.is_empty() {
            "no unique key".to_string()
        } else {
            keys.join(", ")
        })
        .next_step(format!(
            "make the conflict target one of the table's unique keys at {}, or add one in a \
             new migration: CREATE UNIQUE INDEX CONCURRENTLY ON {}.{} ({cols});",
            s.at(),
            live.schema,
            live.name
        ));
        out.push(predicts(f, "42P10", None, Stage::Plan));
    }
    out
}
