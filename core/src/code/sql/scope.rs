//! Name resolution state: the relations in scope at one query level (real tables, CTEs and
//! derived tables with their result columns, table functions), the enclosing levels, and what
//! one statement has touched so far. A column is resolved to a real table only when that is
//! certain; anything else resolves to nothing, because a wrong guess would become a false
//! `column_missing`.

use sqlparser::ast::{Ident, Query, Statement};

use super::access::{Access, ColumnUse, OutputColumn, SessionObject, TableUse};
use super::names::Names;
use super::shape::{FunctionUse, LiteralUse, WriteShape};

/// Where a relation's rows come from.
#[derive(Debug, Clone)]
pub(super) enum RelSource {
    /// A real table (its recorded name).
    Table(String),
    /// A CTE or derived table, with its result columns.
    Derived(Vec<OutputColumn>),
    /// A table function, VALUES list or anything else whose columns are not a table's.
    Opaque,
}

/// One relation of a FROM clause (or a DML target).
#[derive(Debug, Clone)]
pub(super) struct Relation {
    /// The comparison key of its alias (the table name when there is none).
    pub alias: String,
    /// Where its rows come from.
    pub source: RelSource,
}

/// The relations of one query level.
pub(super) struct Scope<'p> {
    /// Relations of this level, in FROM order.
    pub rels: Vec<Relation>,
    /// The enclosing level (a correlated subquery or a LATERAL item sees it).
    pub parent: Option<&'p Scope<'p>>,
    /// Keys of the output aliases of this level's SELECT list (never table columns).
    pub aliases: Vec<String>,
}

impl<'p> Scope<'p> {
    /// A scope of `rels` under `parent`.
    pub fn new(rels: Vec<Relation>, parent: Option<&'p Scope<'p>>) -> Scope<'p> {
        Scope {
            rels,
            parent,
            aliases: Vec::new(),
        }
    }

    /// The relation with alias key `alias`, here or in an enclosing level.
    pub fn find(&self, alias: &str) -> Option<&Relation> {
        self.rels
            .iter()
            .find(|r| r.alias == alias)
            .or_else(|| self.parent.and_then(|p| p.find(alias)))
    }

    /// Whether `key` names a relation here or in an enclosing level (a whole-row reference
    /// such as `row_to_json(u)` is not a column).
    pub fn is_relation(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// Whether `key` is an output alias of this level.
    pub fn is_alias(&self, key: &str) -> bool {
        self.aliases.iter().any(|a| a == key)
    }
}

/// The analysis of a nested query or statement, called back from deeper levels (an
/// expression's subquery, a data-modifying CTE) so that those modules need not import the
/// ones that call them.
#[derive(Clone, Copy)]
pub(super) struct Hooks {
    /// Analyses a query under an enclosing scope; returns its result columns.
    pub query: fn(&Query, &mut Ctx, Option<&Scope>) -> Vec<OutputColumn>,
    /// Analyses an INSERT, UPDATE or DELETE inside a query; returns its RETURNING columns.
    pub statement: fn(&Statement, &mut Ctx, Option<&Scope>) -> Vec<OutputColumn>,
}

/// What one statement touched so far, and the CTEs visible at the current point.
pub(super) struct Ctx {
    /// How names are spelled and compared.
    pub names: Names,
    /// Nested analyses.
    pub hooks: Hooks,
    /// Visible CTEs, innermost last: (key, result columns).
    pub ctes: Vec<(String, Vec<OutputColumn>)>,
    /// Real tables used.
    pub tables: Vec<TableUse>,
    /// Columns resolved to real tables.
    pub columns: Vec<ColumnUse>,
    /// Session objects created.
    pub creates: Vec<SessionObject>,
    /// Writes, in statement order.
    pub writes: Vec<WriteShape>,
    /// String literals compared with or written to a column.
    pub literals: Vec<LiteralUse>,
    /// Functions called.
    pub functions: Vec<FunctionUse>,
}

impl Ctx {
    /// An empty context for `names`.
    pub fn new(names: Names, hooks: Hooks) -> Ctx {
        Ctx {
            names,
            hooks,
            ctes: Vec::new(),
            tables: Vec::new(),
            columns: Vec::new(),
            creates: Vec::new(),
            writes: Vec::new(),
            literals: Vec::new(),
            functions: Vec::new(),
        }
    }

    /// Records a string literal compared with or written to `table.column`, unless the
    /// column's name looks secret (its values are never kept).
    pub fn literal(&mut self, table: &str, column: &str, literal: &str, written: bool) {
        if table.is_empty() || column.is_empty() || crate::redact::is_secret_key(column) {
            return;
        }
        self.literals.push(LiteralUse {
            table: table.to_string(),
            column: column.to_string(),
            literal: literal.to_string(),
            written,
        });
    }

    /// The result columns of the visible CTE with key `key`.
    pub fn cte(&self, key: &str) -> Option<&Vec<OutputColumn>> {
        self.ctes
            .iter()
            .rev()
            .find(|(n, _)| n == key)
            .map(|(_, o)| o)
    }

    /// Records a real table.
    pub fn table(&mut self, schema: Option<String>, name: String, access: Access) {
        self.tables.push(TableUse {
            schema,
            name,
            access,
        });
    }

    /// Records a column of a real table.
    pub fn column(&mut self, table: &str, column: String, access: Access) {
        if table.is_empty() || column.is_empty() {
            return;
        }
        self.columns.push(ColumnUse {
            table: table.to_string(),
            column,
            access,
        });
    }

    /// Resolves a column reference (`col`, `t.col`, `schema.t.col`) in `scope` to (real
    /// table, column) when that is certain.
    pub fn resolve(&self, parts: &[Ident], scope: &Scope) -> Option<(String, String)> {
        let n = parts.len();
        let col = self.names.name(parts.last()?);
        if self.names.implicit_column(&col) {
            return None;
        }
        let rel = if n == 1 {
            // Unqualified: only with exactly one relation at this level and no enclosing
            // level (a correlated subquery or LATERAL item may mean an outer column).
            if scope.parent.is_some() || scope.rels.len() != 1 {
                return None;
            }
            &scope.rels[0]
        } else {
            scope.find(&self.names.key(&parts[n - 2]))?
        };
        match &rel.source {
            RelSource::Table(t) => Some((t.clone(), col)),
            RelSource::Derived(out) => {
                let key = self.names.key_of(&col);
                out.iter()
                    .find(|o| {
                        o.name
                            .as_deref()
                            .is_some_and(|name| self.names.key_of(name) == key)
                    })
                    .and_then(|o| Some((o.table.clone()?, o.column.clone()?)))
            }
            RelSource::Opaque => None,
        }
    }

    /// A relation for the real or CTE table `name` (schema-less names are looked up among
    /// the CTEs first), recording the real table.
    pub fn named_relation(
        &mut self,
        schema: Option<String>,
        name: String,
        alias: Option<&Ident>,
        access: Access,
    ) -> Relation {
        let key = self.names.key_of(&name);
        let alias = alias.map(|a| self.names.key(a)).unwrap_or(key.clone());
        if schema.is_none()
            && let Some(out) = self.cte(&key)
        {
            return Relation {
                alias,
                source: RelSource::Derived(out.clone()),
            };
        }
        self.table(schema, name.clone(), access);
        Relation {
            alias,
            source: RelSource::Table(name),
        }
    }
}

/// `*` over something whose columns are unknown.
pub(super) fn unknown_star() -> OutputColumn {
    OutputColumn {
        name: None,
        table: None,
        column: None,
        star: true,
    }
}

/// The result columns `*` gives for a relation.
pub(super) fn star_of(r: &Relation) -> Vec<OutputColumn> {
    match &r.source {
        RelSource::Table(t) => vec![OutputColumn {
            name: None,
            table: Some(t.clone()),
            column: None,
            star: true,
        }],
        RelSource::Derived(out) => out.clone(),
        RelSource::Opaque => vec![unknown_star()],
    }
}
