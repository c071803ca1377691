//! The tables and columns a SQL text reads and writes, parsed with sqlparser (Postgres, SQLite
//! and MySQL dialects). Aliases, `SELECT *`, `RETURNING`, CTEs, derived tables and joins are
//! resolved to real tables; a column is recorded against a table only when that is certain
//! (qualified by a known alias, or unqualified with exactly one table in scope), because a
//! wrong guess would become a false `column_missing`.
//!
//! [`split_statements`] splits a script into statements with their 1-based start lines
//! (quotes, dollar quotes, comments and SQLite trigger bodies respected); the migration replay
//! uses it too, so one statement sqlparser cannot read never hides the others.

use std::ops::ControlFlow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlparser::ast::{
    Expr, FromTable, Ident, JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, Query,
    Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableFactor,
    TableObject, TableWithJoins, UpdateTableFromKind, Visit, Visitor,
};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::snapshot::Backend;

/// What one SQL text touches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SqlAccess {
    /// One entry per statement in the text.
    #[serde(default)]
    pub statements: Vec<StatementAccess>,
    /// Statements sqlparser could not read: (1-based line within the text, message).
    #[serde(default)]
    pub parse_errors: Vec<SqlParseError>,
}

/// A statement sqlparser could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SqlParseError {
    /// 1-based line within the SQL text.
    pub line: u32,
    /// The parser's message.
    pub message: String,
}

/// Whether a table or column is read or written.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Read (FROM, JOIN, WHERE, SELECT list, RETURNING).
    Read,
    /// Written (INSERT INTO, UPDATE, DELETE FROM, SET targets, insert column lists).
    Write,
}

/// What one statement touches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatementAccess {
    /// "select", "insert", "update", "delete" or the statement's first keyword.
    pub kind: String,
    /// 1-based line within the SQL text where the statement starts.
    pub line: u32,
    /// Real tables (CTEs and derived tables resolved away), deduplicated.
    #[serde(default)]
    pub tables: Vec<TableUse>,
    /// Columns resolved with certainty to a real table, deduplicated.
    #[serde(default)]
    pub columns: Vec<ColumnUse>,
    /// The result columns (SELECT list or RETURNING), in order.
    #[serde(default)]
    pub output: Vec<OutputColumn>,
}

/// A real table a statement uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct TableUse {
    /// Schema when written (`app.users`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Table name (unquoted names folded to lowercase).
    pub name: String,
    /// Read or written.
    pub access: Access,
}

/// A column of a real table a statement uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ColumnUse {
    /// The real table.
    pub table: String,
    /// The column.
    pub column: String,
    /// Read or written.
    pub access: Access,
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutputColumn {
    /// The name sqlx sees (alias, column name, or function name); None when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The real table it comes from, when it is a plain column (or a `*` over one table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The real column, when it is a plain column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// True for `*` / `t.*`: every column of `table` (or of something unknown when None).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub star: bool,
}

impl StatementAccess {
    /// The one real table every result column comes from (plain columns or `*`), when there
    /// is exactly one: the table a `query_as` target is loaded from.
    pub fn single_source_table(&self) -> Option<&str> {
        let mut table: Option<&str> = None;
        if self.output.is_empty() {
            return None;
        }
        for o in &self.output {
            let t = o.table.as_deref()?;
            if !o.star && o.column.is_none() {
                return None;
            }
            match table {
                None => table = Some(t),
                Some(prev) if prev == t => {}
                Some(_) => return None,
            }
        }
        table
    }
}

/// The sqlparser dialect for a backend.
pub fn dialect(backend: Backend) -> Box<dyn Dialect> {
    match backend {
        Backend::Postgres => Box::new(PostgreSqlDialect {}),
        Backend::Sqlite => Box::new(SQLiteDialect {}),
        Backend::Mysql => Box::new(MySqlDialect {}),
    }
}

/// One statement of a script with its 1-based start line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitStatement {
    /// 1-based line of the statement's first token.
    pub line: u32,
    /// The statement text without the terminating `;`.
    pub text: String,
}

/// Splits a SQL script at top-level semicolons, respecting quoted strings and identifiers,
/// `$tag$` dollar quotes, `--` and nested `/* */` comments, and `BEGIN ... END` trigger
/// bodies. Empty and comment-only pieces are dropped.
pub fn split_statements(text: &str) -> Vec<SplitStatement> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut line = 1u32;
    let mut start_line: Option<u32> = None;
    let mut i = 0usize;
    let mut begin_depth = 0i32;
    let mut word = String::new();
    let mut is_trigger = false;
    let mut words_seen = 0;
    let flush_word =
        |word: &mut String, begin_depth: &mut i32, is_trigger: &mut bool, words_seen: &mut i32| {
            if word.is_empty() {
                return;
            }
            let w = word.to_ascii_uppercase();
            *words_seen += 1;
            if *words_seen <= 5 && w == "TRIGGER" {
                *is_trigger = true;
            }
            if *is_trigger {
                if w == "BEGIN" {
                    *begin_depth += 1;
                } else if w == "END" && *begin_depth > 0 {
                    *begin_depth -= 1;
                }
            }
            word.clear();
        };
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
        }
        // comments
        if c == '-' && b.get(i + 1) == Some(&'-') {
            flush_word(
                &mut word,
                &mut begin_depth,
                &mut is_trigger,
                &mut words_seen,
            );
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && b.get(i + 1) == Some(&'*') {
            flush_word(
                &mut word,
                &mut begin_depth,
                &mut is_trigger,
                &mut words_seen,
            );
            let mut depth = 1;
            i += 2;
            while i < b.len() && depth > 0 {
                if b[i] == '\n' {
                    line += 1;
                }
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            continue;
        }
        if !c.is_whitespace() && start_line.is_none() {
            start_line = Some(line);
            start = i;
        }
        match c {
            '\'' | '"' | '`' => {
                flush_word(
                    &mut word,
                    &mut begin_depth,
                    &mut is_trigger,
                    &mut words_seen,
                );
                i += 1;
                while i < b.len() {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            '$' if word.is_empty() => {
                // $tag$ ... $tag$ (tag may be empty); `$1` placeholders are not quotes.
                let mut j = i + 1;
                while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_') {
                    j += 1;
                }
                let tag_ok =
                    j < b.len() && b[j] == '$' && !b.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                if tag_ok {
                    let tag: String = b[i..=j].iter().collect();
                    let tag_chars: Vec<char> = tag.chars().collect();
                    let mut k = j + 1;
                    let mut found = None;
                    while k + tag_chars.len() <= b.len() {
                        if b[k..k + tag_chars.len()] == tag_chars[..] {
                            found = Some(k);
                            break;
                        }
                        k += 1;
                    }
                    let end = found.map(|k| k + tag_chars.len()).unwrap_or(b.len());
                    line += b[j + 1..end].iter().filter(|&&ch| ch == '\n').count() as u32;
                    i = end;
                    continue;
                }
            }
            ';' => {
                flush_word(
                    &mut word,
                    &mut begin_depth,
                    &mut is_trigger,
                    &mut words_seen,
                );
                if begin_depth == 0 {
                    let piece: String = b[start..i].iter().collect();
                    // `;;` or a lone `;`: nothing between, nothing to keep.
                    if let Some(l) = start_line.take()
                        && !piece.trim().is_empty()
                    {
                        out.push(SplitStatement {
                            line: l,
                            text: piece.trim().to_string(),
                        });
                    }
                    start = i + 1;
                    is_trigger = false;
                    words_seen = 0;
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush_word(
                &mut word,
                &mut begin_depth,
                &mut is_trigger,
                &mut words_seen,
            );
        }
        i += 1;
    }
    if let Some(l) = start_line {
        let piece: String = b[start..].iter().collect();
        if !piece.trim().is_empty() {
            out.push(SplitStatement {
                line: l,
                text: piece.trim().to_string(),
            });
        }
    }
    out
}

/// The tables and columns every statement in `sql` touches.
pub fn analyse(sql: &str, backend: Backend) -> SqlAccess {
    let dialect = dialect(backend);
    let mut access = SqlAccess::default();
    for piece in split_statements(sql) {
        match Parser::parse_sql(dialect.as_ref(), &piece.text) {
            Ok(stmts) => {
                for stmt in &stmts {
                    let mut st = statement_access(stmt);
                    st.line = piece.line;
                    access.statements.push(st);
                }
            }
            Err(e) => access.parse_errors.push(SqlParseError {
                line: piece.line,
                message: e.to_string(),
            }),
        }
    }
    access
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

#[derive(Debug, Clone)]
enum RelSource {
    Table(String),
    Derived(Vec<OutputColumn>),
    Opaque,
}

#[derive(Debug, Clone)]
struct Relation {
    alias: String,
    source: RelSource,
}

struct Scope<'p> {
    rels: Vec<Relation>,
    parent: Option<&'p Scope<'p>>,
    aliases: Vec<String>,
}

impl Scope<'_> {
    fn find(&self, alias: &str) -> Option<&Relation> {
        self.rels
            .iter()
            .find(|r| r.alias == alias)
            .or_else(|| self.parent.and_then(|p| p.find(alias)))
    }
}

#[derive(Default)]
struct Ctx {
    ctes: Vec<(String, Vec<OutputColumn>)>,
    tables: Vec<TableUse>,
    columns: Vec<ColumnUse>,
}

impl Ctx {
    fn cte(&self, name: &str) -> Option<&Vec<OutputColumn>> {
        self.ctes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o)
    }
    fn table(&mut self, schema: Option<String>, name: String, access: Access) {
        self.tables.push(TableUse {
            schema,
            name,
            access,
        });
    }
}

fn statement_access(stmt: &Statement) -> StatementAccess {
    let mut ctx = Ctx::default();
    let (kind, output) = match stmt {
        Statement::Query(q) => ("select".to_string(), query(q, &mut ctx, None)),
        Statement::Insert(ins) => ("insert".to_string(), insert(ins, &mut ctx)),
        Statement::Update(up) => ("update".to_string(), update(up, &mut ctx)),
        Statement::Delete(del) => ("delete".to_string(), delete(del, &mut ctx)),
        other => {
            let text = other.to_string();
            let kw = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            (kw, Vec::new())
        }
    };
    let mut tables = ctx.tables;
    tables.sort();
    tables.dedup();
    let mut columns = ctx.columns;
    columns.sort();
    columns.dedup();
    StatementAccess {
        kind,
        line: 1,
        tables,
        columns,
        output,
    }
}

fn query(q: &Query, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    let pushed = q.with.as_ref().map(|w| w.cte_tables.len()).unwrap_or(0);
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            let mut out = query(&cte.query, ctx, parent);
            if !cte.alias.columns.is_empty() {
                for (o, c) in out.iter_mut().zip(&cte.alias.columns) {
                    o.name = Some(ident_name(&c.name));
                }
            }
            ctx.ctes.push((ident_name(&cte.alias.name), out));
        }
    }
    let out = set_expr(&q.body, ctx, parent);
    for _ in 0..pushed {
        ctx.ctes.pop();
    }
    out
}

fn set_expr(body: &SetExpr, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    match body {
        SetExpr::Select(s) => select(s, ctx, parent),
        SetExpr::Query(q) => query(q, ctx, parent),
        SetExpr::SetOperation { left, right, .. } => {
            let out = set_expr(left, ctx, parent);
            let _ = set_expr(right, ctx, parent);
            out
        }
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => {
            let st = statement_access(s);
            ctx.tables.extend(st.tables);
            ctx.columns.extend(st.columns);
            st.output
        }
        _ => Vec::new(),
    }
}

fn relation(
    tf: &TableFactor,
    ctx: &mut Ctx,
    parent: Option<&Scope>,
    access: Access,
) -> Vec<Relation> {
    match tf {
        TableFactor::Table { name, alias, .. } => {
            let (schema, tname) = object_name(name);
            let alias_name = alias
                .as_ref()
                .map(|a| ident_name(&a.name))
                .unwrap_or_else(|| tname.clone());
            if schema.is_none()
                && let Some(out) = ctx.cte(&tname)
            {
                return vec![Relation {
                    alias: alias_name,
                    source: RelSource::Derived(out.clone()),
                }];
            }
            ctx.table(schema, tname.clone(), access);
            vec![Relation {
                alias: alias_name,
                source: RelSource::Table(tname),
            }]
        }
        TableFactor::Derived {
            subquery, alias, ..
        } => {
            let mut out = query(subquery, ctx, parent);
            let alias_name = alias
                .as_ref()
                .map(|a| ident_name(&a.name))
                .unwrap_or_default();
            if let Some(a) = alias {
                for (o, c) in out.iter_mut().zip(&a.columns) {
                    o.name = Some(ident_name(&c.name));
                }
            }
            vec![Relation {
                alias: alias_name,
                source: RelSource::Derived(out),
            }]
        }
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            let (rels, _) = from_item(table_with_joins, ctx, parent, access);
            rels
        }
        other => {
            let alias = match other {
                TableFactor::Function { alias, .. }
                | TableFactor::TableFunction { alias, .. }
                | TableFactor::UNNEST { alias, .. } => alias.as_ref().map(|a| ident_name(&a.name)),
                _ => None,
            };
            vec![Relation {
                alias: alias.unwrap_or_default(),
                source: RelSource::Opaque,
            }]
        }
    }
}

/// Relations of one FROM item and the join constraints to read later (they may refer to any
/// relation of the item).
fn from_item<'a>(
    twj: &'a TableWithJoins,
    ctx: &mut Ctx,
    parent: Option<&Scope>,
    access: Access,
) -> (Vec<Relation>, Vec<&'a Expr>) {
    let mut rels = relation(&twj.relation, ctx, parent, access);
    let mut ons = Vec::new();
    for j in &twj.joins {
        rels.extend(relation(&j.relation, ctx, parent, Access::Read));
        let c = match &j.join_operator {
            JoinOperator::Join(c)
            | JoinOperator::Inner(c)
            | JoinOperator::Left(c)
            | JoinOperator::LeftOuter(c)
            | JoinOperator::Right(c)
            | JoinOperator::RightOuter(c)
            | JoinOperator::FullOuter(c)
            | JoinOperator::CrossJoin(c)
            | JoinOperator::Semi(c)
            | JoinOperator::LeftSemi(c)
            | JoinOperator::RightSemi(c)
            | JoinOperator::Anti(c)
            | JoinOperator::LeftAnti(c)
            | JoinOperator::RightAnti(c)
            | JoinOperator::StraightJoin(c) => Some(c),
            _ => None,
        };
        if let Some(JoinConstraint::On(e)) = c {
            ons.push(e);
        }
    }
    (rels, ons)
}

fn select(s: &Select, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    let mut rels = Vec::new();
    let mut ons = Vec::new();
    for twj in &s.from {
        let (r, o) = from_item(twj, ctx, parent, Access::Read);
        rels.extend(r);
        ons.extend(o);
    }
    let aliases = s
        .projection
        .iter()
        .filter_map(|p| match p {
            SelectItem::ExprWithAlias { alias, .. } => Some(ident_name(alias)),
            _ => None,
        })
        .collect();
    let scope = Scope {
        rels,
        parent,
        aliases,
    };
    for e in ons {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &s.selection {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &s.having {
        refs(e, &scope, ctx);
    }
    refs(&s.group_by, &scope, ctx);
    projection(&s.projection, &scope, ctx)
}

fn projection(items: &[SelectItem], scope: &Scope, ctx: &mut Ctx) -> Vec<OutputColumn> {
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::UnnamedExpr(e) => {
                refs(e, scope, ctx);
                out.push(expr_output(e, None, scope));
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                refs(expr, scope, ctx);
                out.push(expr_output(expr, Some(ident_name(alias)), scope));
            }
            SelectItem::ExprWithAliases { expr, aliases } => {
                refs(expr, scope, ctx);
                for a in aliases {
                    out.push(OutputColumn {
                        name: Some(ident_name(a)),
                        table: None,
                        column: None,
                        star: false,
                    });
                }
            }
            SelectItem::Wildcard(_) => {
                for r in &scope.rels {
                    out.extend(star_of(r));
                }
            }
            SelectItem::QualifiedWildcard(kind, _) => match kind {
                SelectItemQualifiedWildcardKind::ObjectName(n) => {
                    let (_, alias) = object_name(n);
                    match scope.find(&alias) {
                        Some(r) => out.extend(star_of(r)),
                        None => out.push(unknown_star()),
                    }
                }
                SelectItemQualifiedWildcardKind::Expr(_) => out.push(unknown_star()),
            },
        }
    }
    out
}

fn unknown_star() -> OutputColumn {
    OutputColumn {
        name: None,
        table: None,
        column: None,
        star: true,
    }
}

fn star_of(r: &Relation) -> Vec<OutputColumn> {
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

/// Resolves a column reference to (real table, column) when certain.
fn resolve(parts: &[Ident], scope: &Scope) -> Option<(String, String)> {
    let names: Vec<String> = parts.iter().map(ident_name).collect();
    let (rel, col) = match names.len() {
        1 => {
            // Unqualified: only with exactly one relation in this scope and no enclosing scope
            // (a correlated subquery may mean an outer column).
            if scope.parent.is_some() || scope.rels.len() != 1 {
                return None;
            }
            (&scope.rels[0], names[0].clone())
        }
        n => (scope.find(&names[n - 2])?, names[n - 1].clone()),
    };
    match &rel.source {
        RelSource::Table(t) => Some((t.clone(), col)),
        RelSource::Derived(out) => out
            .iter()
            .find(|o| o.name.as_deref() == Some(col.as_str()))
            .and_then(|o| Some((o.table.clone()?, o.column.clone()?))),
        RelSource::Opaque => None,
    }
}

fn expr_output(e: &Expr, alias: Option<String>, scope: &Scope) -> OutputColumn {
    let (name, src) = match e {
        Expr::Identifier(id) => (
            Some(ident_name(id)),
            resolve(std::slice::from_ref(id), scope),
        ),
        Expr::CompoundIdentifier(ids) => (ids.last().map(ident_name), resolve(ids, scope)),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => {
            let inner = expr_output(expr, None, scope);
            (inner.name, None)
        }
        Expr::Function(f) => (Some(object_name(&f.name).1), None),
        _ => (None, None),
    };
    let (table, column) = match src {
        Some((t, c)) => (Some(t), Some(c)),
        None => (None, None),
    };
    OutputColumn {
        name: alias.or(name),
        table,
        column,
        star: false,
    }
}

struct RefCollector<'c, 's, 'p> {
    ctx: &'c mut Ctx,
    scope: &'s Scope<'p>,
    depth: usize,
}

impl Visitor for RefCollector<'_, '_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            let _ = query(q, self.ctx, Some(self.scope));
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _q: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        let parts: &[Ident] = match e {
            Expr::Identifier(id) => std::slice::from_ref(id),
            Expr::CompoundIdentifier(ids) => ids,
            _ => return ControlFlow::Continue(()),
        };
        if parts.len() == 1 {
            let n = ident_name(&parts[0]);
            if self.scope.aliases.contains(&n) || n == "default" {
                return ControlFlow::Continue(());
            }
        }
        if let Some((table, column)) = resolve(parts, self.scope) {
            self.ctx.columns.push(ColumnUse {
                table,
                column,
                access: Access::Read,
            });
        }
        ControlFlow::Continue(())
    }
}

fn refs<T: Visit>(node: &T, scope: &Scope, ctx: &mut Ctx) {
    let mut v = RefCollector {
        ctx,
        scope,
        depth: 0,
    };
    let _ = node.visit(&mut v);
}

fn dml_target(name: &ObjectName, alias: Option<&Ident>, ctx: &mut Ctx) -> Relation {
    let (schema, tname) = object_name(name);
    ctx.table(schema, tname.clone(), Access::Write);
    Relation {
        alias: alias.map(ident_name).unwrap_or_else(|| tname.clone()),
        source: RelSource::Table(tname),
    }
}

fn returning(items: Option<&Vec<SelectItem>>, scope: &Scope, ctx: &mut Ctx) -> Vec<OutputColumn> {
    match items {
        Some(items) => projection(items, scope, ctx),
        None => Vec::new(),
    }
}

fn insert(ins: &sqlparser::ast::Insert, ctx: &mut Ctx) -> Vec<OutputColumn> {
    let TableObject::TableName(name) = &ins.table else {
        return Vec::new();
    };
    let alias = ins.table_alias.as_ref().map(|a| &a.alias);
    let target = dml_target(name, alias, ctx);
    let table = match &target.source {
        RelSource::Table(t) => t.clone(),
        _ => String::new(),
    };
    for c in &ins.columns {
        ctx.columns.push(ColumnUse {
            table: table.clone(),
            column: object_name(c).1,
            access: Access::Write,
        });
    }
    if let Some(src) = &ins.source {
        let _ = query(src, ctx, None);
    }
    let scope = Scope {
        rels: vec![target],
        parent: None,
        aliases: Vec::new(),
    };
    returning(ins.returning.as_ref(), &scope, ctx)
}

fn update(up: &sqlparser::ast::Update, ctx: &mut Ctx) -> Vec<OutputColumn> {
    let mut rels = match &up.table.relation {
        TableFactor::Table { name, alias, .. } => {
            vec![dml_target(name, alias.as_ref().map(|a| &a.name), ctx)]
        }
        other => relation(other, ctx, None, Access::Write),
    };
    let mut ons = Vec::new();
    let from = match &up.from {
        Some(UpdateTableFromKind::BeforeSet(f)) | Some(UpdateTableFromKind::AfterSet(f)) => {
            f.as_slice()
        }
        None => &[],
    };
    for twj in from {
        let (r, o) = from_item(twj, ctx, None, Access::Read);
        rels.extend(r);
        ons.extend(o);
    }
    let target_table = match rels.first().map(|r| &r.source) {
        Some(RelSource::Table(t)) => Some(t.clone()),
        _ => None,
    };
    let scope = Scope {
        rels,
        parent: None,
        aliases: Vec::new(),
    };
    for a in &up.assignments {
        let names = match &a.target {
            sqlparser::ast::AssignmentTarget::ColumnName(n) => vec![n],
            sqlparser::ast::AssignmentTarget::Tuple(ns) => ns.iter().collect(),
        };
        if let Some(t) = &target_table {
            for n in names {
                ctx.columns.push(ColumnUse {
                    table: t.clone(),
                    column: object_name(n).1,
                    access: Access::Write,
                });
            }
        }
        refs(&a.value, &scope, ctx);
    }
    for e in ons {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &up.selection {
        refs(e, &scope, ctx);
    }
    returning(up.returning.as_ref(), &scope, ctx)
}

fn delete(del: &sqlparser::ast::Delete, ctx: &mut Ctx) -> Vec<OutputColumn> {
    let from = match &del.from {
        FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
    };
    let mut rels = Vec::new();
    let mut ons = Vec::new();
    for (i, twj) in from.iter().enumerate() {
        let access = if i == 0 { Access::Write } else { Access::Read };
        let (r, o) = from_item(twj, ctx, None, access);
        rels.extend(r);
        ons.extend(o);
    }
    for twj in del.using.iter().flatten() {
        let (r, o) = from_item(twj, ctx, None, Access::Read);
        rels.extend(r);
        ons.extend(o);
    }
    let scope = Scope {
        rels,
        parent: None,
        aliases: Vec::new(),
    };
    for e in ons {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &del.selection {
        refs(e, &scope, ctx);
    }
    returning(del.returning.as_ref(), &scope, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(sql: &str) -> StatementAccess {
        let a = analyse(sql, Backend::Postgres);
        assert!(a.parse_errors.is_empty(), "{:?}", a.parse_errors);
        assert_eq!(a.statements.len(), 1);
        a.statements.into_iter().next().unwrap()
    }

    fn cols(st: &StatementAccess) -> Vec<String> {
        st.columns
            .iter()
            .map(|c| format!("{}.{}", c.table, c.column))
            .collect()
    }

    #[test]
    fn empty_pieces_between_semicolons_are_dropped() {
        let split = split_statements("*/END;;\n;  ;SELECT 1;");
        let texts: Vec<&str> = split.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["*/END", "SELECT 1"]);
    }

    #[test]
    fn splitting_respects_quotes_dollar_quotes_comments_and_lines() {
        let text = "-- header; not a statement\nCREATE TABLE a (x text DEFAULT ';');\n\n\
                    CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN x := 1; END $$ LANGUAGE plpgsql;\n\
                    /* multi; \n line */ SELECT $1;";
        let parts = split_statements(text);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert_eq!(parts[0].line, 2);
        assert_eq!(parts[1].line, 4);
        assert!(parts[1].text.contains("x := 1; END"));
        assert_eq!(parts[2].line, 6);
        assert_eq!(parts[2].text, "SELECT $1");
    }

    #[test]
    fn sqlite_trigger_bodies_stay_whole() {
        let text = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; END;\nSELECT 1;";
        let parts = split_statements(text);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[0].text.ends_with("END"));
    }

    #[test]
    fn select_star_from_one_table_is_that_table() {
        let st = pg("SELECT * FROM users WHERE id = $1");
        assert_eq!(st.single_source_table(), Some("users"));
        assert_eq!(cols(&st), vec!["users.id"]);
    }

    #[test]
    fn aliases_resolve_to_real_tables() {
        let st = pg("SELECT u.id, u.email AS mail FROM users u WHERE u.deleted_at IS NULL");
        assert_eq!(st.single_source_table(), Some("users"));
        assert_eq!(st.output[1].name.as_deref(), Some("mail"));
        assert_eq!(st.output[1].column.as_deref(), Some("email"));
        assert!(cols(&st).contains(&"users.deleted_at".to_string()));
    }

    #[test]
    fn joins_make_a_projection_and_qualified_columns_resolve() {
        let st = pg(
            "SELECT q.id, q.title, p.status FROM quests q JOIN user_quest_progress p ON p.quest_id = q.id \
             WHERE p.user_id = $1 AND status = 'x'",
        );
        assert_eq!(st.single_source_table(), None);
        let c = cols(&st);
        assert!(c.contains(&"user_quest_progress.quest_id".to_string()));
        assert!(c.contains(&"quests.id".to_string()));
        // unqualified with two tables in scope: not guessed
        assert!(
            !c.iter()
                .any(|x| x.ends_with(".status") && x.starts_with("quests"))
        );
        assert_eq!(st.tables.len(), 2);
    }

    #[test]
    fn returning_maps_insert_and_update_to_their_table() {
        let st = pg("INSERT INTO habits (user_id, name) VALUES ($1, $2) RETURNING *");
        assert_eq!(st.single_source_table(), Some("habits"));
        assert!(
            st.columns
                .iter()
                .any(|c| c.column == "name" && c.access == Access::Write)
        );
        let st = pg("UPDATE goals g SET title = $2 WHERE g.id = $1 RETURNING id, title");
        assert_eq!(st.single_source_table(), Some("goals"));
        assert!(cols(&st).contains(&"goals.id".to_string()));
        let st = pg("DELETE FROM sessions WHERE expires_at < now() RETURNING id");
        assert_eq!(st.single_source_table(), Some("sessions"));
        assert!(cols(&st).contains(&"sessions.expires_at".to_string()));
    }

    #[test]
    fn ctes_resolve_through_to_their_tables() {
        let st = pg(
            "WITH recent AS (SELECT id, user_id FROM focus_sessions WHERE started_at > now()) \
                     SELECT r.id, r.user_id FROM recent r",
        );
        assert_eq!(st.single_source_table(), Some("focus_sessions"));
        assert!(cols(&st).contains(&"focus_sessions.started_at".to_string()));
        assert_eq!(
            st.tables.len(),
            1,
            "the CTE is not a table: {:?}",
            st.tables
        );
    }

    #[test]
    fn expressions_are_not_table_columns() {
        let st = pg("SELECT count(*) AS total, max(created_at) FROM users");
        assert_eq!(st.single_source_table(), None);
        assert_eq!(st.output[0].name.as_deref(), Some("total"));
        assert_eq!(st.output[1].name.as_deref(), Some("max"));
        assert!(cols(&st).contains(&"users.created_at".to_string()));
    }

    #[test]
    fn order_by_output_aliases_are_not_columns() {
        let st = pg(
            "SELECT user_id, count(*) AS n FROM habits GROUP BY user_id HAVING count(*) > 1 ORDER BY n",
        );
        assert_eq!(cols(&st), vec!["habits.user_id"]);
    }

    #[test]
    fn correlated_subqueries_do_not_guess_unqualified_columns() {
        let st = pg(
            "SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id AND token = $1)",
        );
        let c = cols(&st);
        assert!(c.contains(&"sessions.user_id".to_string()));
        assert!(c.contains(&"users.id".to_string()));
        assert!(!c.iter().any(|x| x.ends_with(".token")));
    }

    #[test]
    fn sqlite_placeholders_parse() {
        let a = analyse("SELECT id FROM books WHERE id = ?", Backend::Sqlite);
        assert!(a.parse_errors.is_empty());
        assert_eq!(a.statements[0].single_source_table(), Some("books"));
    }

    #[test]
    fn unparseable_sql_is_reported_with_its_line() {
        let a = analyse("SELECT 1;\nSELEC oops FROM;", Backend::Postgres);
        assert_eq!(a.statements.len(), 1);
        assert_eq!(a.parse_errors.len(), 1);
        assert_eq!(a.parse_errors[0].line, 2);
    }
}
