//! The code section's view (ACTION-004, ACTION-005): the FromRow models (struct, file:line,
//! mapped table and how, fields), every SQL call site with the database's verdict on it (or why
//! it could not be checked) and the tables it touches, and the migration statements the
//! expected-schema replay did not model.

use std::collections::BTreeSet;

use gaps_core::actions;
use gaps_core::code::databases::SiteDatabase;
use gaps_core::code::expected::ExpectationMode;
use gaps_core::code::model::{MappingSource, Model, ModelField, QuerySite};
use gaps_core::code::sql::Access;
use gaps_core::finding::Finding;
use gaps_core::querycheck::{Outcome, StatementCheck, StatementKind};
use gaps_core::redact::{redact_sql, redact_text, redact_url};
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use super::findings::{FindingView, finding_view, plural};
use crate::status::{self, SectionRef, version_label};

/// Rows shown at most per table (models, queries, not-modelled statements); the rest are
/// counted, so a huge service cannot blow up the page.
pub const MAX_ROWS: usize = 2000;
/// SQL text is cut at this many characters.
pub const MAX_SQL: usize = 400;

/// The code section.
#[derive(Debug, Clone, Serialize)]
pub struct CodeView {
    /// The `code`, `expected_schema` and `query_checks` statuses.
    pub sections: Vec<SectionRef>,
    /// True when the source was scanned.
    pub collected: bool,
    /// What was scanned, in one sentence.
    pub summary: Option<String>,
    /// FromRow models.
    pub models: Vec<ModelRow>,
    /// Models left out beyond [`MAX_ROWS`].
    pub models_more: usize,
    /// SQL call sites.
    pub queries: Vec<QueryRow>,
    /// Queries left out beyond [`MAX_ROWS`].
    pub queries_more: usize,
    /// "3 accepted, 3 rejected, 0 not checkable", when the statements were checked.
    pub query_counts: Option<String>,
    /// How the expected schema was produced, when it was.
    pub expected: Option<String>,
    /// Migration statements the replay did not model.
    pub not_modelled: Vec<NotModelledRow>,
    /// Statements left out beyond [`MAX_ROWS`].
    pub not_modelled_more: usize,
    /// Source files that could not be read or parsed: "file:line: message".
    pub problems: Vec<String>,
    /// Code findings (file-located or not about one table).
    pub findings: Vec<FindingView>,
}

/// One FromRow model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelRow {
    /// Rust name.
    pub name: String,
    /// `file:line`.
    pub location: String,
    /// The mapped tables (empty when none).
    pub tables: Vec<String>,
    /// How the mapping was decided.
    pub mapping: String,
    /// Fields in declaration order.
    pub fields: Vec<FieldCell>,
}

/// One model field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldCell {
    /// Rust field name.
    pub name: String,
    /// The column it reads, when that differs from the name.
    pub column: Option<String>,
    /// The type as written.
    pub rust_type: String,
    /// sqlx attributes: skip, default, flatten, json, try_from.
    pub flags: Vec<String>,
}

/// One SQL call site.
#[derive(Debug, Clone, Serialize)]
pub struct QueryRow {
    /// `file:line`.
    pub location: String,
    /// "site-3": the row's id (after the snapshot's anchor), unique in the table.
    pub anchor: String,
    /// The sqlx API.
    pub api: String,
    /// "select", "insert"... or the checker's kind.
    pub kind: String,
    /// `ok`, `rejected`, `not_checkable`, `other_database` (belongs to another database of
    /// the project), `external` (a database the project does not migrate), `excluded` (by
    /// gaps.toml), `depends` (on a temporary table or search_path the code sets up first) or
    /// `unchecked`.
    pub status: String,
    /// A symbol for the status.
    pub icon: String,
    /// The verdict, or why it was not checked.
    pub check: String,
    /// Tables with their access, e.g. "users (read)".
    pub tables: Vec<String>,
    /// "not analysed: ..." when the SQL parser could not read the statement (no table or
    /// column is guessed for it).
    pub analysis: Option<String>,
    /// The type the rows decode into.
    pub target: Option<String>,
    /// The SQL, cut at [`MAX_SQL`] characters.
    pub sql: Option<String>,
}

/// A migration statement the replay did not model.
#[derive(Debug, Clone, Serialize)]
pub struct NotModelledRow {
    /// "0006".
    pub migration: String,
    /// `file:line`.
    pub location: String,
    /// The statement's leading words.
    pub statement: String,
    /// Why it was not modelled.
    pub reason: String,
}

fn cut(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn mapping_text(m: &Model) -> String {
    let evidence = if m.mapping.evidence.is_empty() {
        String::new()
    } else {
        format!(" at {}", m.mapping.evidence.join(", "))
    };
    match m.mapping.source {
        MappingSource::Query => format!("loaded by the query{evidence}"),
        MappingSource::Convention => "by name (no loading query names one table)".into(),
        MappingSource::Config => "set in gaps.toml".into(),
        MappingSource::Projection => {
            format!("a projection (joins or expressions), not one table{evidence}")
        }
        MappingSource::Unknown => match &m.mapping.database {
            Some(db) => format!(
                "loaded only by statements of another database: belongs to the database \
                 migrated by {db}{evidence}"
            ),
            None => "not decided: no loading query and no table by that name".into(),
        },
    }
}

fn field_cell(f: &ModelField) -> FieldCell {
    let mut flags = Vec::new();
    for (on, name) in [
        (f.skip, "skip"),
        (f.default, "default"),
        (f.flatten, "flatten"),
        (f.json, "json"),
    ] {
        if on {
            flags.push(name.to_string());
        }
    }
    if let Some(t) = &f.try_from {
        flags.push(format!("try_from {t}"));
    }
    FieldCell {
        name: f.name.clone(),
        column: (f.column != f.name).then(|| f.column.clone()),
        rust_type: f.rust_type.clone(),
        flags,
    }
}

fn model_row(m: &Model) -> ModelRow {
    ModelRow {
        name: m.name.clone(),
        location: format!("{}:{}", m.file, m.line),
        tables: m.mapping.tables.clone(),
        mapping: mapping_text(m),
        fields: m.fields.iter().map(field_cell).collect(),
    }
}

fn checker_kind(k: StatementKind) -> &'static str {
    match k {
        StatementKind::Query => "query",
        StatementKind::Modify => "modify",
        StatementKind::Control => "session control",
        StatementKind::Utility => "utility (DDL)",
        StatementKind::Multiple => "several statements",
        StatementKind::Unknown => "unknown",
    }
}

/// The status of a site the collection did not send to the database on purpose: another
/// database's statement, an external one, an excluded one, or one that depends on a session
/// object the code creates first.
fn scoped(site: Option<&QuerySite>) -> Option<(&'static str, &'static str, String)> {
    let site = site?;
    let status = match &site.scope.database {
        Some(SiteDatabase::Other { .. }) => "other_database",
        Some(SiteDatabase::External { .. }) => "external",
        Some(SiteDatabase::Excluded { .. }) => "excluded",
        _ if !site.scope.depends_on.is_empty() && site.not_checkable.is_none() => "depends",
        _ => return None,
    };
    Some((status, "⊘", redact_text(&site.not_described_reason()?)))
}

fn verdict(
    check: Option<&StatementCheck>,
    site: Option<&QuerySite>,
    checks: &SectionRef,
) -> (&'static str, &'static str, String) {
    if let Some(v) = scoped(site) {
        return v;
    }
    match check.map(|c| &c.outcome) {
        Some(Outcome::Ok) => ("ok", "✔", "accepted by the database".into()),
        Some(Outcome::Rejected(r)) => (
            "rejected",
            "✖",
            format!(
                "rejected: {}: {}{}",
                gaps_core::errcode::label(&r.sqlstate),
                redact_text(&r.message),
                r.hint
                    .as_deref()
                    .map(|h| format!(" (hint: {})", redact_text(h)))
                    .unwrap_or_default()
            ),
        ),
        Some(Outcome::NotCheckable { reason }) => {
            ("not_checkable", "⊘", format!("not checkable: {reason}"))
        }
        None => match site.and_then(|s| s.not_checkable.as_deref()) {
            Some(reason) => ("not_checkable", "⊘", format!("not checkable: {reason}")),
            None if checks.status != "collected" => (
                "unchecked",
                "?",
                format!(
                    "not checked: query_checks {}{}",
                    checks.status,
                    checks
                        .note
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
            ),
            None => ("unchecked", "?", "not checked".into()),
        },
    }
}

fn query_row(
    site: Option<&QuerySite>,
    check: Option<&StatementCheck>,
    checks: &SectionRef,
) -> QueryRow {
    let (file, line) = match (site, check) {
        (Some(s), _) => (s.file.as_str(), s.line),
        (None, Some(c)) => (c.file.as_str(), c.line),
        (None, None) => ("", 0),
    };
    let access = site.and_then(|s| s.access.as_ref());
    let kinds: BTreeSet<String> = access
        .map(|a| a.statements.iter().map(|s| s.kind.to_lowercase()).collect())
        .unwrap_or_default();
    let kind = if !kinds.is_empty() {
        kinds.into_iter().collect::<Vec<_>>().join(", ")
    } else if let Some(c) = check {
        checker_kind(c.kind).to_string()
    } else {
        "unknown".to_string()
    };
    let mut tables: Vec<String> = Vec::new();
    for st in access.map(|a| a.statements.as_slice()).unwrap_or_default() {
        for t in &st.tables {
            let name = match &t.schema {
                Some(s) => format!("{s}.{}", t.name),
                None => t.name.clone(),
            };
            let text = format!(
                "{name} ({})",
                match t.access {
                    Access::Read => "read",
                    Access::Write => "write",
                }
            );
            if !tables.contains(&text) {
                tables.push(text);
            }
        }
    }
    let (status, icon, check_text) = verdict(check, site, checks);
    let sql = site
        .and_then(|s| s.sql.as_deref())
        .or(check.and_then(|c| c.sql.as_deref()))
        .map(|q| cut(&redact_sql(q), MAX_SQL));
    QueryRow {
        location: format!("{file}:{line}"),
        anchor: String::new(),
        api: site
            .map(|s| s.api.clone())
            .or_else(|| check.and_then(|c| c.api.clone()))
            .unwrap_or_default(),
        kind,
        status: status.into(),
        icon: icon.into(),
        check: check_text,
        tables,
        analysis: access.and_then(|a| a.not_analysed()),
        target: site
            .and_then(|s| s.target.clone())
            .or_else(|| check.and_then(|c| c.target.as_ref().map(|t| t.name.clone()))),
        sql,
    }
}

fn queries(s: &Snapshot, checks: &SectionRef) -> Vec<QueryRow> {
    let sites = s
        .code
        .data()
        .map(|c| c.queries.as_slice())
        .unwrap_or_default();
    let stmts = s
        .query_checks
        .data()
        .map(|q| q.statements.as_slice())
        .unwrap_or_default();
    let mut rows: Vec<QueryRow> = sites
        .iter()
        .map(|site| {
            let check = stmts
                .iter()
                .find(|c| c.file == site.file && c.line == site.line);
            query_row(Some(site), check, checks)
        })
        .collect();
    for c in stmts {
        if !sites.iter().any(|s| s.file == c.file && s.line == c.line) {
            rows.push(query_row(None, Some(c), checks));
        }
    }
    rows
}

fn expected_text(s: &Snapshot) -> Option<String> {
    let e = s.expected_schema.data()?;
    let statements: u32 = e.migrations.iter().map(|m| m.statements).sum();
    let how = match e.mode {
        ExpectationMode::Replay => format!(
            "replayed from {} ({} modelled, {} not)",
            plural(e.migrations.len(), "migration"),
            plural(statements as usize, "statement"),
            e.not_modelled.len()
        ),
        ExpectationMode::Scratch => format!(
            "the migrations applied to a scratch database{}",
            e.scratch_server
                .as_deref()
                .map(|u| format!(" ({})", redact_url(u)))
                .unwrap_or_default()
        ),
    };
    let mut text = format!(
        "Expected schema: {how}, {}",
        plural(e.schema.tables.len(), "table")
    );
    if !e.gaps_md_tables.is_empty() {
        text.push_str(&format!(
            "; {} listed in {}",
            plural(e.gaps_md_tables.len(), "table"),
            e.gaps_md_file.as_deref().unwrap_or("gaps.md")
        ));
    }
    if let Some(err) = &e.scratch_error {
        text.push_str(&format!(
            "; the scratch database failed ({}), so the replay was used",
            redact_text(err)
        ));
    }
    if !e.partial_tables.is_empty() {
        text.push_str(&format!(
            "; columns of {} only partly known",
            e.partial_tables.join(", ")
        ));
    }
    text.push('.');
    Some(text)
}

fn limited<T>(mut rows: Vec<T>) -> (Vec<T>, usize) {
    let more = rows.len().saturating_sub(MAX_ROWS);
    rows.truncate(MAX_ROWS);
    (rows, more)
}

/// The code view of a snapshot.
pub fn code_view(s: &Snapshot, findings: &[Finding]) -> CodeView {
    let sections: Vec<SectionRef> = ["code", "expected_schema", "query_checks"]
        .into_iter()
        .map(|n| status::section_ref(s, n))
        .collect();
    let code = s.code.data();
    let (models, models_more) = limited(
        code.map(|c| c.models.iter().map(model_row).collect())
            .unwrap_or_default(),
    );
    let (mut queries, queries_more) = limited(queries(s, &sections[2]));
    for (i, q) in queries.iter_mut().enumerate() {
        q.anchor = format!("site-{}", i + 1);
    }
    let (not_modelled, not_modelled_more) = limited(
        s.expected_schema
            .data()
            .map(|e| {
                e.not_modelled
                    .iter()
                    .map(|n| NotModelledRow {
                        migration: version_label(n.version),
                        location: format!("{}:{}", n.file, n.line),
                        statement: redact_sql(&n.statement),
                        reason: n.reason.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    );
    CodeView {
        collected: code.is_some(),
        summary: code.map(|c| {
            format!(
                "{} scanned in {}: {}, {}.",
                plural(c.files_scanned as usize, "Rust file"),
                c.root,
                plural(c.models.len(), "FromRow model"),
                plural(c.queries.len(), "SQL call site")
            )
        }),
        models,
        models_more,
        queries,
        queries_more,
        query_counts: s.query_checks.data().map(|q| {
            format!(
                "{} checked against the database: {} accepted, {} rejected, {} not checkable.",
                plural(q.counts.total as usize, "statement"),
                q.counts.ok,
                q.counts.rejected,
                q.counts.not_checkable
            )
        }),
        expected: expected_text(s),
        not_modelled,
        not_modelled_more,
        problems: code
            .map(|c| {
                c.problems
                    .iter()
                    .map(|p| match p.line {
                        Some(l) => format!("{}:{l}: {}", p.file, p.message),
                        None => format!("{}: {}", p.file, p.message),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        findings: findings
            .iter()
            .filter(|f| f.action == actions::COLUMNS || f.action == actions::TABLES)
            .filter(|f| f.table.is_none() || f.file.is_some())
            .map(finding_view)
            .collect(),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use gaps_core::backend::Backend;
    use gaps_core::code::databases::SiteDatabase;
    use gaps_core::code::model::{CodeEvidence, QuerySite, SiteScope};
    use gaps_core::code::session::SessionDependency;
    use gaps_core::code::sql::{SessionObjectKind, analyse};
    use gaps_core::section::Section;
    use gaps_core::snapshot::{Snapshot, Target};

    fn site(line: u32, sql: &str, scope: SiteScope) -> QuerySite {
        QuerySite {
            file: "src/store.rs".into(),
            line,
            api: "sqlx::query".into(),
            macro_checked: false,
            sql: Some(sql.into()),
            sql_origin: Some("literal".into()),
            sql_line: None,
            target: None,
            target_origin: None,
            not_checkable: None,
            access: Some(analyse(sql, Backend::Sqlite)),
            scope,
        }
    }

    #[test]
    fn the_code_view_says_why_a_statement_was_not_checked_here() {
        let mut s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
        let other = SiteScope {
            database: Some(SiteDatabase::Other {
                migrations: "./record-migrations".into(),
                how: "tables".into(),
            }),
            depends_on: Vec::new(),
        };
        let external = SiteScope {
            database: Some(SiteDatabase::External {
                reason: "src/import.rs:9 opens its own connection".into(),
            }),
            depends_on: Vec::new(),
        };
        let depends = SiteScope {
            database: None,
            depends_on: vec![SessionDependency {
                kind: SessionObjectKind::TemporaryTable,
                name: "doomed".into(),
                file: "src/store.rs".into(),
                line: 3,
            }],
        };
        s.code = Section::collected(CodeEvidence {
            queries: vec![
                site(10, "select id from store", other),
                site(20, "select cmd from commands", external),
                site(
                    30,
                    "delete from kv where k in (select k from doomed)",
                    depends,
                ),
                site(40, "selec nonsense", SiteScope::default()),
            ],
            ..CodeEvidence::default()
        });
        let v = super::code_view(&s, &[]);
        let rows: Vec<(&str, &str)> = v
            .queries
            .iter()
            .map(|q| (q.status.as_str(), q.check.as_str()))
            .collect();
        assert_eq!(
            rows[0],
            (
                "other_database",
                "belongs to the database migrated by ./record-migrations"
            )
        );
        assert_eq!(rows[1].0, "external");
        assert!(
            rows[1].1.starts_with("external database: "),
            "{}",
            rows[1].1
        );
        assert_eq!(
            rows[2],
            (
                "depends",
                "depends on temporary table doomed created at src/store.rs:3"
            )
        );
        let a = v.queries[3].analysis.as_deref().unwrap();
        assert!(a.starts_with("not analysed"), "{a}");
    }
}
