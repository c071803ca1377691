//! The SQL that puts a drifted object back the way its migration made it, built from the
//! expected schema: `CREATE TABLE`, `ADD COLUMN`, `ALTER COLUMN ... TYPE`, `SET NOT NULL`,
//! `SET DEFAULT`, the index's own definition, `ADD CONSTRAINT`. gaps never runs it; the
//! engineer does, as the owner, after reading it. Identifiers are quoted when they need it.

use crate::backend::Backend;
use crate::schema::{Column, ForeignKey, Index, KeyConstraint, Table};

/// Words that must be quoted as identifiers on the engines gaps reads.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "between",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "index",
    "initially",
    "intersect",
    "into",
    "key",
    "leading",
    "limit",
    "localtime",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
];

/// `name` quoted for `backend` when it is not a plain lower-case identifier.
pub(super) fn quote(name: &str, backend: Backend) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name);
    if plain {
        return name.to_string();
    }
    match backend {
        Backend::Mysql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// `schema.table` (the schema left out for the default ones).
pub(super) fn table_name(t: &Table, backend: Backend) -> String {
    if matches!(t.schema.as_str(), "public" | "main" | "") {
        quote(&t.name, backend)
    } else {
        format!("{}.{}", quote(&t.schema, backend), quote(&t.name, backend))
    }
}

fn list(cols: &[String], backend: Backend) -> String {
    cols.iter()
        .map(|c| quote(c, backend))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `name type [NOT NULL] [DEFAULT x]`, as a column definition.
fn column_def(c: &Column, backend: Backend) -> String {
    let mut s = format!("{} {}", quote(&c.name, backend), c.data_type);
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
        return s;
    }
    if let Some(i) = &c.identity {
        let how = if i == "always" {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        };
        s.push_str(&format!(" GENERATED {how} AS IDENTITY"));
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s
}

fn fk_clause(fk: &ForeignKey, backend: Backend) -> String {
    let target = if matches!(fk.referenced_schema.as_str(), "public" | "main" | "") {
        quote(&fk.referenced_table, backend)
    } else {
        format!(
            "{}.{}",
            quote(&fk.referenced_schema, backend),
            quote(&fk.referenced_table, backend)
        )
    };
    let mut s = format!(
        "FOREIGN KEY ({}) REFERENCES {target} ({})",
        list(&fk.columns, backend),
        list(&fk.referenced_columns, backend)
    );
    for (what, rule) in [("DELETE", &fk.on_delete), ("UPDATE", &fk.on_update)] {
        let r = rule.trim();
        if !r.is_empty() && !r.eq_ignore_ascii_case("no action") && r != "unknown" {
            s.push_str(&format!(" ON {what} {}", r.to_ascii_uppercase()));
        }
    }
    s
}

/// `CREATE TABLE` for `t` with its keys, checks and foreign keys, then its indexes.
pub(super) fn create_table(t: &Table, backend: Backend) -> String {
    let mut parts: Vec<String> = t.columns.iter().map(|c| column_def(c, backend)).collect();
    if let Some(pk) = &t.primary_key {
        parts.push(key_clause("PRIMARY KEY", pk, backend));
    }
    for u in &t.unique_constraints {
        parts.push(key_clause("UNIQUE", u, backend));
    }
    for k in &t.check_constraints {
        parts.push(format!(
            "CONSTRAINT {} CHECK ({})",
            quote(&k.name, backend),
            strip_check(&k.expression)
        ));
    }
    for fk in &t.foreign_keys {
        parts.push(format!(
            "CONSTRAINT {} {}",
            quote(&fk.name, backend),
            fk_clause(fk, backend)
        ));
    }
    let mut sql = format!(
        "CREATE TABLE {} (\n    {}\n);",
        table_name(t, backend),
        parts.join(",\n    ")
    );
    for i in t
        .indexes
        .iter()
        .filter(|i| !i.primary && !t.unique_constraints.iter().any(|u| u.name == i.name))
    {
        sql.push('\n');
        sql.push_str(&create_index(t, i, backend));
    }
    sql
}

fn key_clause(what: &str, k: &KeyConstraint, backend: Backend) -> String {
    format!(
        "CONSTRAINT {} {what} ({})",
        quote(&k.name, backend),
        list(&k.columns, backend)
    )
}

/// `CHECK (x > 0)` as the catalog prints it, without the outer `CHECK (...)`.
fn strip_check(expr: &str) -> &str {
    let e = expr.trim();
    let inner = e
        .strip_prefix("CHECK")
        .map(str::trim)
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'));
    inner.unwrap_or(e)
}

/// The index's own definition when the migration's text is known, else built.
pub(super) fn create_index(t: &Table, i: &Index, backend: Backend) -> String {
    if let Some(d) = &i.definition {
        let d = d.trim().trim_end_matches(';');
        if d.to_ascii_uppercase().starts_with("CREATE") {
            return format!("{d};");
        }
    }
    format!(
        "CREATE {}INDEX {} ON {} ({});",
        if i.unique { "UNIQUE " } else { "" },
        quote(&i.name, backend),
        table_name(t, backend),
        i.columns.join(", ")
    )
}

/// `ALTER TABLE ... ADD COLUMN` for a column its migration added.
pub(super) fn add_column(t: &Table, c: &Column, backend: Backend) -> String {
    let mut def = c.clone();
    let backfill = !c.nullable && c.default.is_none() && c.identity.is_none();
    if backfill {
        // NOT NULL without a default fails on a table with rows: add it nullable first.
        def.nullable = true;
    }
    let mut sql = format!(
        "ALTER TABLE {} ADD COLUMN {};",
        table_name(t, backend),
        column_def(&def, backend)
    );
    if backfill {
        sql.push_str(&format!(
            "\n-- fill {} for the existing rows, then:\n{}",
            quote(&c.name, backend),
            set_not_null(t, c, backend).unwrap_or_default()
        ));
    }
    sql
}

/// Changes a column back to the type its migration gave it.
pub(super) fn alter_type(t: &Table, c: &Column, backend: Backend) -> Option<String> {
    let table = table_name(t, backend);
    let col = quote(&c.name, backend);
    match backend {
        Backend::Postgres => Some(format!(
            "ALTER TABLE {table} ALTER COLUMN {col} TYPE {ty} USING {col}::{ty};",
            ty = c.data_type
        )),
        Backend::Mysql => Some(format!(
            "ALTER TABLE {table} MODIFY COLUMN {};",
            column_def(c, backend)
        )),
        // SQLite cannot change a column's type in place.
        Backend::Sqlite => None,
    }
}

/// Makes a column NOT NULL again (after its NULL rows are fixed).
pub(super) fn set_not_null(t: &Table, c: &Column, backend: Backend) -> Option<String> {
    let table = table_name(t, backend);
    let col = quote(&c.name, backend);
    let fill = c
        .default
        .as_deref()
        .map(|d| format!("UPDATE {table} SET {col} = {d} WHERE {col} IS NULL;\n"))
        .unwrap_or_default();
    match backend {
        Backend::Postgres => Some(format!(
            "{fill}ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;"
        )),
        Backend::Mysql => Some(format!(
            "{fill}ALTER TABLE {table} MODIFY COLUMN {};",
            column_def(c, backend)
        )),
        Backend::Sqlite => None,
    }
}

/// Puts back the column's default.
pub(super) fn set_default(t: &Table, c: &Column, backend: Backend) -> Option<String> {
    if backend == Backend::Sqlite {
        return None;
    }
    let table = table_name(t, backend);
    let col = quote(&c.name, backend);
    Some(match &c.default {
        Some(d) => format!("ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {d};"),
        None => format!("ALTER TABLE {table} ALTER COLUMN {col} DROP DEFAULT;"),
    })
}

/// `ALTER TABLE ... ADD CONSTRAINT` for a key, check or foreign key of `t` named `name`.
pub(super) fn add_constraint(t: &Table, name: &str, backend: Backend) -> Option<String> {
    if backend == Backend::Sqlite {
        return None; // SQLite cannot add a constraint to an existing table.
    }
    let table = table_name(t, backend);
    let n = quote(name, backend);
    if let Some(pk) = t.primary_key.as_ref().filter(|k| k.name == name) {
        return Some(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {n} PRIMARY KEY ({});",
            list(&pk.columns, backend)
        ));
    }
    if let Some(u) = t.unique_constraints.iter().find(|k| k.name == name) {
        return Some(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {n} UNIQUE ({});",
            list(&u.columns, backend)
        ));
    }
    if let Some(k) = t.check_constraints.iter().find(|k| k.name == name) {
        return Some(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {n} CHECK ({});",
            strip_check(&k.expression)
        ));
    }
    t.foreign_keys.iter().find(|k| k.name == name).map(|fk| {
        format!(
            "ALTER TABLE {table} ADD CONSTRAINT {n} {};",
            fk_clause(fk, backend)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{col, fk, index, key, table};

    #[test]
    fn identifiers_are_quoted_only_when_needed() {
        assert_eq!(quote("users", Backend::Postgres), "users");
        assert_eq!(quote("user", Backend::Postgres), "\"user\"");
        assert_eq!(quote("Mixed\"Case", Backend::Postgres), "\"Mixed\"\"Case\"");
        assert_eq!(quote("order", Backend::Mysql), "`order`");
    }

    #[test]
    fn drift_repairs_are_the_migrations_own_definitions() {
        let mut t = table(
            "focus_pause_state",
            vec![
                col(1, "session_id", "uuid", false),
                col(2, "paused_at", "timestamp with time zone", false),
            ],
        );
        t.primary_key = Some(key("focus_pause_state_pkey", &["session_id"]));
        t.foreign_keys.push(fk(
            "focus_pause_state_session_id_fkey",
            "session_id",
            "focus_sessions",
            "cascade",
        ));
        t.indexes
            .push(index("fps_paused", &["paused_at"], false, None));
        assert_eq!(
            create_table(&t, Backend::Postgres),
            "CREATE TABLE focus_pause_state (\n    session_id uuid NOT NULL,\n    \
             paused_at timestamp with time zone NOT NULL,\n    \
             CONSTRAINT focus_pause_state_pkey PRIMARY KEY (session_id),\n    \
             CONSTRAINT focus_pause_state_session_id_fkey FOREIGN KEY (session_id) \
             REFERENCES focus_sessions (id) ON DELETE CASCADE\n);\n\
             CREATE INDEX fps_paused ON focus_pause_state (paused_at);"
        );
        let mut c = col(3, "archived", "boolean", false);
        c.default = Some("false".into());
        assert_eq!(
            add_column(&t, &c, Backend::Postgres),
            "ALTER TABLE focus_pause_state ADD COLUMN archived boolean NOT NULL DEFAULT false;"
        );
        let n = col(4, "n", "integer", false);
        assert!(add_column(&t, &n, Backend::Postgres).contains("SET NOT NULL"));
        assert_eq!(
            alter_type(&t, &col(5, "xp", "integer", false), Backend::Postgres).unwrap(),
            "ALTER TABLE focus_pause_state ALTER COLUMN xp TYPE integer USING xp::integer;"
        );
        assert!(alter_type(&t, &n, Backend::Sqlite).is_none());
        assert_eq!(
            add_constraint(&t, "focus_pause_state_session_id_fkey", Backend::Postgres).unwrap(),
            "ALTER TABLE focus_pause_state ADD CONSTRAINT focus_pause_state_session_id_fkey \
             FOREIGN KEY (session_id) REFERENCES focus_sessions (id) ON DELETE CASCADE;"
        );
    }
}
