//! The fix of each cause: ordered steps with the exact command or SQL, and the places where
//! the fix collides with something else. Migration causes follow sqlx 0.9's rules (see the
//! module docs of [`crate::causes`]); a statement a migration fixes is never a step of its
//! own; a drifted object gets the SQL that puts back what its migration made.

use super::context::Ctx;
use super::context::version_label;
use super::ddl;
use super::objects::{made_by_applied, missing_object, object_words, says_missing};
use super::route::Key;
use super::route::Obj;
use super::{FixStep, Impact};
use crate::code::expected::ObjectKind;
use crate::finding::{Finding, FindingKind};

/// Steps and conflicts of one cause.
pub(super) struct Fix {
    pub steps: Vec<FixStep>,
    pub conflicts: Vec<String>,
}

/// The fix of the cause `key` with findings `found`.
pub(super) fn steps(ctx: &Ctx, key: &Key, found: &[&Finding], impact: &Impact) -> Fix {
    let mut fix = Fix {
        steps: Vec::new(),
        conflicts: Vec::new(),
    };
    match key {
        Key::Pending => pending(ctx, found, &mut fix),
        Key::Failed(v) => failed(ctx, *v, &mut fix),
        Key::Edited(v) => edited(ctx, *v, found, &mut fix),
        Key::Removed(v) => removed(ctx, *v, found, impact, &mut fix),
        Key::Object(obj) => object(ctx, obj, found, impact, &mut fix),
        Key::GapsMdUnused => {
            let mut tables: Vec<&str> = found.iter().filter_map(|f| f.table.as_deref()).collect();
            tables.sort_unstable();
            fix.steps.push(FixStep::text(format!(
                "Remove them from gaps.md's Expected Tables (ACTION-004), or add the migrations \
                 and code that should create and use them: {}",
                tables.join(", ")
            )));
        }
        Key::Group("privileges") => fix.steps = grants(found),
        _ => {}
    }
    if fix.steps.is_empty() {
        fix.steps = next_steps(found);
    }
    if matches!(key, Key::Pending | Key::Failed(_)) {
        let mut before = before_running(found);
        before.append(&mut fix.steps);
        fix.steps = before;
    }
    fix
}

/// What to do before running the migrations a fix runs: end the sessions that would block
/// them, deploy code that still works afterwards, make each hazardous statement safe; each
/// step once, from the members' own next steps.
fn before_running(found: &[&Finding]) -> Vec<FixStep> {
    let mut out: Vec<FixStep> = Vec::new();
    for kind in [
        FindingKind::MigrationBlocked,
        FindingKind::QueryBreaksAfterMigration,
        FindingKind::MigrationHazard,
    ] {
        for f in found.iter().filter(|f| f.kind == kind) {
            let Some(step) = &f.next_step else { continue };
            let text = format!("Before running it: {step}");
            if !out.iter().any(|x| x.text == text) {
                out.push(FixStep::text(text));
            }
        }
    }
    out
}

/// Every distinct `GRANT` the privilege findings name, one step each (the default-privilege
/// ones last: they matter when the pending migrations run), then the members' other steps.
fn grants(found: &[&Finding]) -> Vec<FixStep> {
    let mut sql: Vec<(bool, String)> = Vec::new();
    for f in found {
        if let Some(g) = f.details.get("grant").and_then(|v| v.as_str()) {
            let pending = f.details.get("object").and_then(|v| v.as_str()) == Some("pending table");
            if !sql.iter().any(|(_, s)| s == g) {
                sql.push((pending, g.to_string()));
            }
        }
    }
    sql.sort_by_key(|(pending, _)| *pending);
    let mut steps: Vec<FixStep> = sql
        .into_iter()
        .map(|(pending, g)| {
            let text = if pending {
                "Before the pending migrations run, let the service role use what they create"
            } else {
                "Grant the service role what its statements need (as the object's owner)"
            };
            FixStep::sql(text, g)
        })
        .collect();
    if steps.is_empty() {
        steps = next_steps(found);
    }
    steps
}

/// `text` with its first letter in upper case: a step reads as a sentence.
fn sentence(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The members' own next steps, each once.
fn next_steps(found: &[&Finding]) -> Vec<FixStep> {
    let mut out: Vec<FixStep> = Vec::new();
    for f in found {
        if let Some(s) = &f.next_step
            && !out.iter().any(|x| x.text == sentence(s))
        {
            out.push(FixStep::text(sentence(s)));
        }
        if out.len() == 3 {
            break;
        }
    }
    if out.is_empty() {
        out.push(FixStep::text(
            "Read the findings below: each names what it saw.",
        ));
    }
    out
}

/// `sqlx migrate run`, with `--source` when the folder is not the default one.
fn migrate_run(ctx: &Ctx) -> String {
    match ctx.paths.migrations_dir() {
        Some(dir) if dir != "migrations" => format!("sqlx migrate run --source {dir}"),
        _ => "sqlx migrate run".to_string(),
    }
}

fn migrations_table(ctx: &Ctx) -> String {
    ctx.applied
        .map(|a| a.table.clone())
        .unwrap_or_else(|| crate::migrations::DEFAULT_MIGRATIONS_TABLE.to_string())
}

fn pending(ctx: &Ctx, found: &[&Finding], fix: &mut Fix) {
    if found
        .iter()
        .any(|f| f.kind == FindingKind::MigrationsTableMissing)
    {
        fix.steps.push(FixStep::text(
            "Check that DATABASE_URL names the database the service really uses: no migration \
             ever ran on this one",
        ));
    }
    let no_tx: Vec<String> = found
        .iter()
        .filter(|f| {
            f.kind == FindingKind::MigrationPending
                && f.details.get("no_transaction") == Some(&serde_json::Value::Bool(true))
        })
        .filter_map(|f| f.migration.map(version_label))
        .collect();
    let mut text = "Apply the pending migrations against the direct (non-pooled) host".to_string();
    if !no_tx.is_empty() {
        text.push_str(&format!(
            "; {} run without a transaction, so a failure part-way leaves the database dirty",
            no_tx.join(", ")
        ));
    }
    fix.steps.push(FixStep::command(text, migrate_run(ctx)));
    if let Some(h) = found
        .iter()
        .find(|f| f.kind == FindingKind::HealthSchemaVersionMismatch)
        && let Some(url) = ctx.snapshot.health.data().map(|h| h.url.clone())
    {
        let newest = ctx
            .local
            .and_then(|l| l.files.iter().map(|f| f.version).max())
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        fix.steps.push(FixStep::command(
            format!(
                "Check that the service now reports schema_version{newest} (it reports {})",
                h.live.clone().unwrap_or_else(|| "another".into())
            ),
            format!("curl -s {url}"),
        ));
    }
    let fixed = found
        .iter()
        .filter(|f| {
            !matches!(
                f.kind,
                FindingKind::MigrationPending
                    | FindingKind::MigrationOutOfOrder
                    | FindingKind::MigrationsTableMissing
                    | FindingKind::HealthSchemaVersionMismatch
                    // What running them would do: the steps before the run deal with these.
                    | FindingKind::MigrationHazard
                    | FindingKind::MigrationBlocked
                    | FindingKind::QueryBreaksAfterMigration
            )
        })
        .count();
    if fixed > 0 {
        fix.steps.push(FixStep::text(format!(
            "Nothing else to change for the {fixed} other finding(s) of this cause: the \
             migrations create what they are missing"
        )));
    }
    for f in found
        .iter()
        .filter(|f| f.kind == FindingKind::MigrationOutOfOrder)
    {
        if let (Some(v), Some(h)) = (
            f.migration,
            f.details.get("highest_applied").and_then(|v| v.as_i64()),
        ) {
            fix.conflicts.push(format!(
                "{} is older than {}, which is already applied: sqlx applies it after it, so \
                 read it for objects the later migrations create or change first",
                version_label(v),
                version_label(h)
            ));
        }
    }
}

/// What migration `v` created that exists in the live database now.
fn created_and_present(ctx: &Ctx, v: i64) -> Vec<(Obj, String)> {
    let (Some(e), Some(_)) = (ctx.expected, ctx.live) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for o in e
        .origins
        .iter()
        .filter(|o| o.version == v && o.action == "create")
    {
        let Some(lt) = ctx.live_table(&o.table) else {
            continue;
        };
        let t = ddl::table_name(lt, ctx.backend);
        match (o.kind, o.name.as_deref()) {
            (ObjectKind::Table, None) => out.push((
                Obj::Table(o.table.clone()),
                format!("DROP TABLE IF EXISTS {t};"),
            )),
            (ObjectKind::Column, Some(c)) => {
                // A column of a table this migration created goes with the table.
                let whole = e
                    .origins
                    .iter()
                    .any(|x| x.version == v && x.kind == ObjectKind::Table && x.table == o.table);
                if !whole && lt.column(c).is_some() {
                    out.push((
                        Obj::Column(o.table.clone(), c.to_string()),
                        format!(
                            "ALTER TABLE {t} DROP COLUMN {};",
                            ddl::quote(c, ctx.backend)
                        ),
                    ));
                }
            }
            (ObjectKind::Index, Some(i)) => {
                let whole = e
                    .origins
                    .iter()
                    .any(|x| x.version == v && x.kind == ObjectKind::Table && x.table == o.table);
                if !whole && lt.indexes.iter().any(|x| x.name == i) {
                    out.push((
                        Obj::Index(o.table.clone(), i.to_string()),
                        format!("DROP INDEX {};", ddl::quote(i, ctx.backend)),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

fn failed(ctx: &Ctx, v: i64, fix: &mut Fix) {
    let label = version_label(v);
    let present = created_and_present(ctx, v);
    let file = ctx
        .migration_path(v)
        .unwrap_or_else(|| format!("migration {label}"));
    if present.is_empty() {
        fix.steps.push(FixStep::text(format!(
            "Read {file}: nothing it creates exists in the database, so it stopped before its \
             first change (or its changes were rolled back); fix what made it fail"
        )));
    } else {
        let words: Vec<String> = present.iter().map(|(o, _)| object_words(o)).collect();
        let sql: Vec<String> = present.iter().map(|(_, s)| s.clone()).collect();
        fix.steps.push(FixStep::sql(
            format!(
                "Undo the part of {label} that ran ({}), so sqlx can run it from the start; \
                 check first that they hold no rows you need. Or finish the rest of {file} by \
                 hand instead and keep them",
                super::join_and(&words)
            ),
            sql.join("\n"),
        ));
    }
    fix.steps.push(FixStep::sql(
        format!("Remove its row: sqlx refuses every migration with Dirty({v}) while it is there"),
        format!("DELETE FROM {} WHERE version = {v};", migrations_table(ctx)),
    ));
    fix.steps.push(FixStep::command(
        format!("Run {label} again (with any pending migration after it)"),
        migrate_run(ctx),
    ));
}

fn edited(ctx: &Ctx, v: i64, found: &[&Finding], fix: &mut Fix) {
    let path = ctx
        .migration_path(v)
        .unwrap_or_else(|| format!("the file of migration {}", version_label(v)));
    let checksum = found
        .iter()
        .find(|f| f.kind == FindingKind::MigrationChecksumMismatch);
    if ctx.reencoded.contains(&v) && !ctx.edited.contains(&v) {
        let step = checksum
            .and_then(|f| f.next_step.clone())
            .unwrap_or_else(|| format!("save {path} with the line endings it was applied with"));
        fix.steps
            .push(FixStep::command(step, format!("git diff --stat -- {path}")));
        return;
    }
    let installed = checksum
        .and_then(|f| f.details.get("installed_on"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let restore = match &installed {
        Some(at) => {
            format!("git checkout $(git rev-list -n 1 --before=\"{at}\" HEAD -- {path}) -- {path}")
        }
        None => format!("git log -p -- {path}"),
    };
    fix.steps.push(FixStep::command(
        format!(
            "Restore {path} as it was when it was applied{}: sqlx compares checksums before it \
             runs anything",
            installed
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default()
        ),
        restore,
    ));
    let added: Vec<String> = found
        .iter()
        .filter_map(|f| missing_object(f))
        .map(|o| object_words(&o))
        .fold(Vec::new(), |mut acc, w| {
            if !acc.contains(&w) {
                acc.push(w);
            }
            acc
        });
    if !added.is_empty() {
        let what = super::join_and(&added);
        fix.steps.push(FixStep::command(
            format!(
                "Put the edit into a new migration instead (it adds {what}, which this database \
                 never got), then run it"
            ),
            format!("sqlx migrate add {}", migration_name_for(&added)),
        ));
        fix.conflicts.push(format!(
            "restoring {path} takes {what} out of it: the code that uses {} keeps failing until \
             the new migration runs",
            if added.len() == 1 { "it" } else { "them" }
        ));
    }
}

/// `add_quests_reward`: a migration description from what it adds.
fn migration_name_for(added: &[String]) -> String {
    let first = added.first().map(String::as_str).unwrap_or("change");
    let words: String = first
        .split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("add_{words}")
}

fn removed(ctx: &Ctx, v: i64, found: &[&Finding], impact: &Impact, fix: &mut Fix) {
    let Some(e) = ctx.expected else { return };
    let used = |table: &str, name: Option<&str>| {
        found.iter().any(|f| {
            f.table
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(table))
                && (name.is_none() || f.column.as_deref() == name)
        })
    };
    let sites = if impact.call_sites.is_empty() && impact.models.is_empty() {
        String::new()
    } else {
        let mut s: Vec<String> = impact.call_sites.clone();
        s.extend(impact.models.iter().map(|m| format!("model {m}")));
        format!(" ({})", s.join(", "))
    };
    for r in e
        .removals
        .iter()
        .filter(|r| r.version == v && used(&r.table, r.name.as_deref()))
    {
        let old = match &r.name {
            Some(c) => format!("{}.{c}", r.table),
            None => r.table.clone(),
        };
        let at = format!("{}:{}", ctx.paths.migration_file(&r.file), r.line);
        fix.steps.push(FixStep::text(match &r.renamed_to {
            Some(n) => format!(
                "Update the code to the new name: {old} is {n} since migration {} ({at}){sites}",
                version_label(v)
            ),
            None => format!(
                "Stop using {old}: migration {} dropped it ({at}){sites}",
                version_label(v)
            ),
        }));
    }
    fix.steps.push(FixStep::text(
        "If the old name is still wanted, add a migration that brings it back instead \
         (`sqlx migrate add`), never edit the applied one",
    ));
}

fn object(ctx: &Ctx, obj: &Obj, found: &[&Finding], impact: &Impact, fix: &mut Fix) {
    // Drift: an applied migration made it, and the database lost it or changed it (a
    // difference the migrations themselves show, not only the code).
    let drift = made_by_applied(ctx, obj)
        .filter(|_| says_missing(found) || found.iter().any(|f| f.migration.is_some()));
    let expected = ctx.expected_table(obj.table());
    let live = ctx.live_table(obj.table());
    if let (Some(v), Some(et)) = (drift, expected) {
        let sql = if says_missing(found) {
            match obj {
                Obj::Table(_) => Some(ddl::create_table(et, ctx.backend)),
                Obj::Column(_, c) => et
                    .column(c)
                    .map(|col| ddl::add_column(et, col, ctx.backend)),
                Obj::Index(_, i) => et
                    .indexes
                    .iter()
                    .find(|x| x.name == *i)
                    .map(|ix| ddl::create_index(et, ix, ctx.backend))
                    .or_else(|| ddl::add_constraint(et, i, ctx.backend)),
                Obj::Constraint(_, k) => ddl::add_constraint(et, k, ctx.backend),
                Obj::Enum(_) => None,
            }
        } else {
            differs_sql(ctx, obj, found, et, live)
        };
        let migration = ctx.migration_name(v);
        match sql {
            Some(sql) => fix.steps.push(FixStep::sql(
                format!(
                    "Put back what migration {migration} made, as the owner of the database: it \
                     is recorded as applied, so `sqlx migrate run` will not do it again"
                ),
                sql,
            )),
            None => fix.steps.push(FixStep::text(format!(
                "Put back what migration {migration} made by hand (this engine cannot change \
                 it in place: rebuild the table)"
            ))),
        }
        if !says_missing(found) {
            fix.steps.push(FixStep::text(
                "Or, if the database is right, change the code to match it and record the \
                 change in a new migration",
            ));
        }
        return;
    }
    if says_missing(found) {
        let sites = super::impact::compact_sites(&impact.call_sites, 6);
        let words = object_words(obj);
        fix.steps.push(FixStep::command(
            format!("Add a migration that creates {words}, then run it"),
            format!(
                "sqlx migrate add {}",
                match obj {
                    Obj::Table(t) => format!("create_{t}"),
                    Obj::Column(t, c) => format!("add_{t}_{c}"),
                    _ => "add_missing_object".to_string(),
                }
            ),
        ));
        fix.steps.push(FixStep::text(if sites.is_empty() {
            "Or, if the name is wrong, fix it in the code".to_string()
        } else {
            format!("Or, if the name is wrong, fix it in the code: {sites}")
        }));
        return;
    }
    if let Obj::Column(_, c) = obj
        && let Some(lc) = live.and_then(|t| t.column(c))
    {
        fix.steps = field_steps(ctx, lc, found, impact);
        if !fix.steps.is_empty() {
            return;
        }
    }
    fix.steps = next_steps(found);
}

/// The code reads a column with a type it cannot decode (the migrations agree with the
/// database): change the fields, or cast in the statements.
fn field_steps(
    ctx: &Ctx,
    live: &crate::schema::Column,
    found: &[&Finding],
    impact: &Impact,
) -> Vec<FixStep> {
    let typed = found.iter().any(|f| {
        matches!(
            f.kind,
            FindingKind::ColumnTypeMismatch | FindingKind::QueryResultMismatch
        ) && f.details.contains_key("accepts")
    });
    let nulls = live.nullable
        && found.iter().any(|f| {
            f.kind == FindingKind::ColumnNullabilityMismatch
                || (f.kind == FindingKind::QueryResultMismatch && f.message.contains("NULL"))
        });
    if !typed && !nulls {
        return Vec::new();
    }
    let fields: Vec<String> = found
        .iter()
        .filter(|f| f.kind == FindingKind::ColumnTypeMismatch && f.migration.is_none())
        .filter_map(|f| {
            let at = format!("{}:{}", f.file.as_deref()?, f.line?);
            let field = f
                .message
                .strip_prefix("field ")?
                .split_whitespace()
                .next()?;
            Some(format!("{field} ({at})"))
        })
        .collect();
    let base = crate::typemap::rust_types_for(&live.data_type, ctx.backend)
        .into_iter()
        .next()
        .or_else(|| {
            let t = live.data_type.to_ascii_lowercase();
            (t.contains("char") || t.contains("text")).then(|| "String".to_string())
        });
    let wanted = match (&base, nulls) {
        (Some(b), true) => format!(" such as Option<{b}>"),
        (Some(b), false) => format!(" such as {b}"),
        (None, true) => " wrapped in Option".to_string(),
        (None, false) => String::new(),
    };
    let what = if typed {
        format!("a type that decodes {}{wanted}", live.data_type)
    } else {
        format!("an Option (the column allows NULL){wanted}")
    };
    let mut out = vec![FixStep::text(if fields.is_empty() {
        format!("Change the field that reads {} to {what}", live.name)
    } else {
        format!("Change {} to {what}", super::join_and(&fields))
    })];
    if !impact.call_sites.is_empty() {
        out.push(FixStep::text(format!(
            "Or cast (or COALESCE) {} in the statements to what the field decodes: {}",
            live.name,
            super::impact::compact_sites(&impact.call_sites, 6)
        )));
    }
    out
}

/// SQL that puts a column or constraint back the way its migration defined it.
fn differs_sql(
    ctx: &Ctx,
    obj: &Obj,
    found: &[&Finding],
    et: &crate::schema::Table,
    live: Option<&crate::schema::Table>,
) -> Option<String> {
    match obj {
        Obj::Column(_, c) => {
            let ec = et.column(c)?;
            let lc = live.and_then(|l| l.column(c))?;
            let mut sql = Vec::new();
            let has = |k: FindingKind| found.iter().any(|f| f.kind == k && f.migration.is_some());
            if has(FindingKind::ColumnTypeMismatch) && ec.data_type != lc.data_type {
                sql.push(ddl::alter_type(et, ec, ctx.backend)?);
            }
            if has(FindingKind::ColumnNullabilityMismatch) && !ec.nullable && lc.nullable {
                sql.push(ddl::set_not_null(et, ec, ctx.backend)?);
            }
            if has(FindingKind::DefaultMismatch) {
                sql.push(ddl::set_default(et, ec, ctx.backend)?);
            }
            (!sql.is_empty()).then(|| sql.join("\n"))
        }
        Obj::Constraint(_, k) => {
            let lt = live?;
            let drop = format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                ddl::table_name(lt, ctx.backend),
                ddl::quote(k, ctx.backend)
            );
            ddl::add_constraint(et, k, ctx.backend).map(|add| format!("{drop}\n{add}"))
        }
        _ => None,
    }
}
