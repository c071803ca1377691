//! Names as each engine reads them: the sqlparser dialect per backend, identifier folding
//! (Postgres folds unquoted names to lowercase; SQLite and MySQL compare names without regard
//! to case), sqlx's column overrides in aliases (`"id!"`, `"name?"`, `"kind: Kind"`) and the
//! implicit columns every table has (`rowid`, `ctid`, ...), which no schema lists.

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};

use crate::backend::Backend;

/// The sqlparser dialect for a backend.
pub fn dialect(backend: Backend) -> Box<dyn Dialect> {
    match backend {
        Backend::Postgres => Box::new(PostgreSqlDialect {}),
        Backend::Sqlite => Box::new(SQLiteDialect {}),
        Backend::Mysql => Box::new(MySqlDialect {}),
    }
}

/// The normalised name of an identifier: unquoted names fold to lowercase, as Postgres does.
pub fn ident_name(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

/// `(schema, name)` of an object name; the last part is the name.
pub fn object_name(name: &ObjectName) -> (Option<String>, String) {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => ident_name(id),
            ObjectNamePart::Function(f) => ident_name(&f.name),
        })
        .collect();
    match parts.len() {
        0 => (None, String::new()),
        1 => (None, parts[0].clone()),
        n => (Some(parts[n - 2].clone()), parts[n - 1].clone()),
    }
}

/// How one backend spells and compares names.
#[derive(Debug, Clone, Copy)]
pub(super) struct Names {
    pub backend: Backend,
}

impl Names {
    /// The name to record: Postgres folds unquoted names; SQLite and MySQL keep them as
    /// written (the rules compare those without regard to case).
    pub fn name(self, id: &Ident) -> String {
        match self.backend {
            Backend::Postgres => ident_name(id),
            Backend::Sqlite | Backend::Mysql => id.value.clone(),
        }
    }

    /// The key two names are compared by inside one statement (aliases, CTE names).
    pub fn key(self, id: &Ident) -> String {
        self.key_of(&self.name(id))
    }

    /// The comparison key of an already recorded name.
    pub fn key_of(self, name: &str) -> String {
        match self.backend {
            Backend::Postgres => name.to_string(),
            Backend::Sqlite | Backend::Mysql => name.to_lowercase(),
        }
    }

    /// `(schema, name)` of an object name, recorded names.
    pub fn object(self, name: &ObjectName) -> (Option<String>, String) {
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(id) => self.name(id),
                ObjectNamePart::Function(f) => self.name(&f.name),
            })
            .collect();
        match parts.len() {
            0 => (None, String::new()),
            1 => (None, parts[0].clone()),
            n => (Some(parts[n - 2].clone()), parts[n - 1].clone()),
        }
    }

    /// Columns every row has without any schema listing them: SQLite's rowid aliases,
    /// Postgres' system columns. A reference to one is never a missing column.
    pub fn implicit_column(self, name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        match self.backend {
            Backend::Sqlite => matches!(n.as_str(), "rowid" | "oid" | "_rowid_"),
            Backend::Postgres => {
                matches!(
                    n.as_str(),
                    "ctid" | "xmin" | "xmax" | "cmin" | "cmax" | "tableoid"
                )
            }
            Backend::Mysql => false,
        }
    }
}

/// The column name sqlx's macros see for an alias with an override: `id!` -> `id`,
/// `name?` -> `name`, `kind: Kind` -> `kind`, `id!: i64` -> `id`. Other aliases are returned
/// unchanged.
pub fn strip_sqlx_override(alias: &str) -> &str {
    let cut = alias.find([':', '!', '?']).unwrap_or(alias.len());
    let base = alias[..cut].trim_end();
    if cut == alias.len() || base.is_empty() {
        return alias;
    }
    let rest = alias[cut..].trim_start_matches(['!', '?']).trim();
    // Only the forms sqlx reads: nothing after the marks, or `: Type`.
    if rest.is_empty() || rest.starts_with(':') {
        base
    } else {
        alias
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlx_overrides_are_removed_from_aliases() {
        assert_eq!(strip_sqlx_override("id!"), "id");
        assert_eq!(strip_sqlx_override("name?"), "name");
        assert_eq!(strip_sqlx_override("kind: Kind"), "kind");
        assert_eq!(strip_sqlx_override("kind:Kind"), "kind");
        assert_eq!(strip_sqlx_override("id!: i64"), "id");
        assert_eq!(strip_sqlx_override("total?: _"), "total");
        assert_eq!(strip_sqlx_override("plain"), "plain");
        assert_eq!(strip_sqlx_override("what?x"), "what?x");
        assert_eq!(strip_sqlx_override("!"), "!");
    }

    #[test]
    fn postgres_folds_unquoted_names_and_the_others_compare_without_case() {
        let pg = Names {
            backend: Backend::Postgres,
        };
        let lite = Names {
            backend: Backend::Sqlite,
        };
        let quoted = Ident::with_quote('"', "Users");
        let bare = Ident::new("Users");
        assert_eq!(pg.name(&quoted), "Users");
        assert_eq!(pg.name(&bare), "users");
        assert_eq!(lite.name(&bare), "Users");
        assert_eq!(lite.key(&bare), lite.key(&Ident::new("USERS")));
        assert!(lite.implicit_column("ROWID"));
        assert!(pg.implicit_column("ctid"));
        assert!(!pg.implicit_column("rowid"));
    }
}
