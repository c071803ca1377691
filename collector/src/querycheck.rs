//! Query validation: asks the live database to Parse/Describe each statement found in the code,
//! inside the collector's read-only transaction, and never executes one.
//!
//! Postgres: every statement runs in its own SAVEPOINT (a rejected Parse would otherwise abort
//! the whole transaction) that is rolled back afterwards so no lock outlives the statement,
//! under transaction-local `statement_timeout` and `lock_timeout` so a statement waiting on a
//! lock (a migration holding an ACCESS EXCLUSIVE lock) gives up quickly and is never
//! retried, with a client-side timeout behind that (the `describer` module). SELECT-like statements go through sqlx's
//! `describe` (Parse + Describe, plus sqlx's nullability inference: a catalog query and an
//! `EXPLAIN` without ANALYZE, which plans and never runs); INSERT/UPDATE/DELETE only through
//! `prepare` (Parse + Describe). sqlx prepares under a *named* statement (`sqlx_s_N`); every
//! one is closed with a protocol Close before the transaction ends, so none outlives it,
//! which is what a transaction-mode pooler (PgBouncer, Neon `-pooler`) needs: the whole check
//! runs in one transaction, i.e. on one server connection.
//!
//! SQLite: `describe` compiles the statement (`sqlite3_prepare`) and reads its bytecode with
//! `EXPLAIN`; nothing is stepped.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use gaps_core::code::CodeEvidence;
use gaps_core::code::model::QuerySite;
use gaps_core::querycheck::{
    DescribedColumn, Outcome, QueryChecks, QueryCounts, StatementCheck, StatementKind, TargetField,
    TargetShape, TargetType, classify, not_checkable_reason, position_line,
};
use gaps_core::section::Section;

use crate::db::{DbError, Session};
use crate::progress::Progress;

mod describer;
mod live;
mod offline;

use describer::Describer;
use live::Live;
pub use offline::{parse_offline, read_offline_dir};

/// One statement site to check: what the source scan found, or what a test builds.
#[derive(Debug, Clone, Default)]
pub struct StatementInput {
    /// Source file.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// Line where the SQL text starts, when it is a literal in `file` (else the call's line
    /// is used to place an error position).
    pub sql_line: Option<u32>,
    /// The sqlx API used.
    pub api: Option<String>,
    /// The SQL text, when statically known.
    pub sql: Option<String>,
    /// Why the SQL is not statically known, as the scan says.
    pub not_checkable: Option<String>,
    /// The type the rows decode into.
    pub target: Option<TargetType>,
}

/// Settings for [`check`].
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// How long one statement's Parse/Describe may take.
    pub timeout: Duration,
    /// How long one describe may wait for a lock (Postgres; MySQL/MariaDB use the session's
    /// `lock_wait_timeout`).
    pub lock_timeout: Duration,
    /// The `.sqlx/` folder to compare, with the name to record for it.
    pub offline_dir: Option<(PathBuf, String)>,
    /// Whether the statements came from a source scan (so "no longer in the source" can be
    /// told).
    pub source_scanned: bool,
    /// Where "describing 412/1,000 statements" goes.
    pub progress: Progress,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(2),
            offline_dir: None,
            source_scanned: false,
            progress: Progress::silent(),
        }
    }
}

/// Describes every statement in `inputs` (and every `.sqlx/` cached query) on `session`.
/// Fails only when the session cannot start the phase (a SAVEPOINT cannot be set); a
/// statement that is rejected, blocked by a lock, times out or cannot be prepared is recorded
/// and the next one is checked. When the session ends part-way (deadline, stalled server,
/// lost connection) the statements left are recorded as not described and
/// [`QueryChecks::stopped`] says why.
pub async fn check(
    session: &mut Session,
    inputs: &[StatementInput],
    opts: &CheckOptions,
) -> Result<QueryChecks, DbError> {
    let backend = session.backend();
    let total = inputs
        .iter()
        .filter_map(|i| i.sql.as_deref().filter(|_| i.not_checkable.is_none()))
        .filter(|sql| not_checkable_reason(classify(sql), sql).is_none())
        .collect::<HashSet<&str>>()
        .len();
    let mut d = Describer::start(
        session,
        opts.timeout,
        opts.lock_timeout,
        opts.progress.clone(),
        total,
    )
    .await?;
    let mut cache: HashMap<String, Live> = HashMap::new();
    let mut statements = Vec::with_capacity(inputs.len());
    for input in inputs {
        let (kind, live) = match (&input.sql, &input.not_checkable) {
            (Some(sql), None) => {
                let kind = classify(sql);
                match not_checkable_reason(kind, sql) {
                    Some(reason) => (kind, Live::not_checkable(reason)),
                    None => {
                        if !cache.contains_key(sql) {
                            let live = d.describe(sql, kind).await;
                            cache.insert(sql.clone(), live);
                        }
                        (kind, cache[sql].clone())
                    }
                }
            }
            (sql, reason) => (
                sql.as_deref().map_or(StatementKind::Unknown, classify),
                Live::not_checkable(
                    reason
                        .clone()
                        .unwrap_or_else(|| "the SQL text is not known statically".into()),
                ),
            ),
        };
        statements.push(site_check(input, kind, &live));
    }
    let offline = match &opts.offline_dir {
        None => None,
        Some((dir, shown)) => Some(
            offline::compare_offline(&mut d, &mut cache, dir, shown, inputs, opts.source_scanned)
                .await,
        ),
    };
    let stopped = d.stopped();
    d.finish().await?;
    statements.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(QueryChecks {
        backend,
        counts: QueryCounts::of(&statements),
        statements,
        offline,
        stopped,
    })
}

fn site_check(input: &StatementInput, kind: StatementKind, live: &Live) -> StatementCheck {
    let outcome = match &live.outcome {
        Outcome::Rejected(r) => {
            let mut r = r.clone();
            r.line = match (r.position, &input.sql) {
                (Some(p), Some(sql)) => {
                    Some(position_line(sql, input.sql_line.unwrap_or(input.line), p))
                }
                _ => Some(input.line),
            };
            Outcome::Rejected(r)
        }
        other => other.clone(),
    };
    StatementCheck {
        file: input.file.clone(),
        line: input.line,
        api: input.api.clone(),
        sql: input.sql.clone(),
        kind,
        outcome,
        columns: live
            .columns
            .iter()
            .map(|c| DescribedColumn {
                name: c.name.clone(),
                type_name: c.type_name.clone(),
                nullable: c.nullable,
            })
            .collect(),
        parameters: live.params.iter().map(|(n, _)| n.clone()).collect(),
        target: input.target.clone(),
    }
}

/// The longest a single statement's Parse/Describe may take, whatever `--statement-timeout`
/// says: a describe answers in milliseconds unless it waits on a lock.
pub const MAX_DESCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The query-checks section of `gaps collect`: the statements of the `code` section found
/// under `source`, described on the open session with at most `statement_timeout` each (and
/// never more than [`MAX_DESCRIBE_TIMEOUT`]), and the `.sqlx/` folder of the source when there
/// is one.
pub async fn section(
    session: &mut Session,
    source: Option<&Path>,
    code: &Section<CodeEvidence>,
    statement_timeout: Duration,
    lock_timeout: Duration,
    progress: &Progress,
) -> Section<QueryChecks> {
    let Some(source) = source else {
        return Section::skipped("no --source given");
    };
    let Some(code) = code.data() else {
        return Section::skipped("the source was not scanned, so no statements are known");
    };
    let opts = CheckOptions {
        timeout: statement_timeout.min(MAX_DESCRIBE_TIMEOUT),
        lock_timeout,
        offline_dir: offline_dir(source),
        source_scanned: true,
        progress: progress.clone(),
    };
    match check(session, &inputs_from_code(code), &opts).await {
        Ok(checks) => Section::collected(checks),
        Err(e) => Section::failed("describing the SQL found in the code", e.to_string()),
    }
}

/// The `.sqlx/` folder of a source tree: at its root, else in exactly one direct
/// subdirectory (a workspace member).
pub fn offline_dir(source: &Path) -> Option<(PathBuf, String)> {
    let root = source.join(".sqlx");
    if root.is_dir() {
        return Some((root, ".sqlx".into()));
    }
    let mut found: Vec<(PathBuf, String)> = std::fs::read_dir(source)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join(".sqlx").is_dir())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            Some((e.path().join(".sqlx"), format!("{name}/.sqlx")))
        })
        .collect();
    found.sort();
    (found.len() == 1).then(|| found.remove(0))
}

/// The statement sites of the code section, each with the type its rows decode into: a
/// `FromRow` model found in the scan (fields by column name), a tuple (by position), or the
/// scalar of a `query_scalar` (the first column).
pub fn inputs_from_code(code: &CodeEvidence) -> Vec<StatementInput> {
    code.queries
        .iter()
        .map(|q| StatementInput {
            file: q.file.clone(),
            line: q.line,
            sql_line: q.sql_line,
            api: Some(q.api.clone()),
            sql: q.sql.clone(),
            // Also a statement of another database, or one that depends on a temporary
            // table or search_path the code sets up first: never sent here.
            not_checkable: q.not_described_reason(),
            target: target_of(code, q),
        })
        .collect()
}

/// Whether a call is one of the `query_scalar` functions.
fn is_scalar_api(api: &str) -> bool {
    let name = api.rsplit("::").next().unwrap_or(api).trim_end_matches('!');
    name.starts_with("query_scalar") || name.starts_with("query_file_scalar")
}

fn target_of(code: &CodeEvidence, q: &QuerySite) -> Option<TargetType> {
    let name = q.target.as_deref()?.trim();
    if is_scalar_api(&q.api) {
        // `query_scalar::<_, T>` names T exactly. A type read off a `let` or the function's
        // return type has had its Option/Vec/Result removed, so it may not be the scalar
        // (`Vec<String>` from `fetch_one` of an array): not checked.
        if q.target_origin.as_deref() != Some("turbofish") {
            return None;
        }
        return Some(TargetType {
            name: name.to_string(),
            shape: TargetShape::Scalar,
            fields: vec![tuple_field(0, name.to_string())],
            defined_at: None,
        });
    }
    let last = name.rsplit("::").next().unwrap_or(name);
    if let Some(model) = code.model(last) {
        return Some(TargetType {
            name: name.to_string(),
            shape: TargetShape::Struct,
            fields: code
                .expanded_fields(model)
                .into_iter()
                .map(|f| TargetField {
                    name: f.name,
                    column: f.column,
                    rust_type: f.rust_type,
                    default: f.default,
                    not_a_column: f.skip,
                    json: f.json,
                    try_from: f.try_from,
                })
                .collect(),
            defined_at: Some(format!("{}:{}", model.file, model.line)),
        });
    }
    let inner = name.strip_prefix('(').and_then(|n| n.strip_suffix(')'))?;
    let fields = split_top_level(inner)
        .into_iter()
        .enumerate()
        .map(|(i, ty)| tuple_field(i, ty))
        .collect();
    Some(TargetType {
        name: name.to_string(),
        shape: TargetShape::Tuple,
        fields,
        defined_at: None,
    })
}

fn tuple_field(i: usize, rust_type: String) -> TargetField {
    TargetField {
        name: i.to_string(),
        column: String::new(),
        rust_type,
        default: false,
        not_a_column: false,
        json: false,
        try_from: None,
    }
}

/// Splits `a, Option<(b, c)>, d` at the commas that are not nested.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut out, mut depth, mut cur) = (Vec::new(), 0i32, String::new());
    for ch in text.chars() {
        match ch {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_targets_split_at_top_level_commas_only() {
        assert_eq!(
            split_top_level("i64, Option<(i32, String)>, Vec<u8>"),
            vec!["i64", "Option<(i32, String)>", "Vec<u8>"]
        );
    }

    fn site(api: &str, target: &str, origin: &str) -> QuerySite {
        QuerySite {
            file: "src/r.rs".into(),
            line: 3,
            api: api.into(),
            macro_checked: false,
            sql: Some("SELECT 1".into()),
            sql_origin: Some("literal".into()),
            sql_line: None,
            target: Some(target.into()),
            target_origin: Some(origin.into()),
            not_checkable: None,
            access: None,
            scope: Default::default(),
        }
    }

    #[test]
    fn targets_are_structs_with_flatten_expanded_tuples_and_explicit_scalars() {
        use gaps_core::code::model::{Model, ModelField, ModelMapping};
        let f = |name: &str, ty: &str| ModelField {
            name: name.into(),
            column: name.into(),
            rust_type: ty.into(),
            line: 1,
            rename: None,
            skip: false,
            default: false,
            flatten: false,
            json: false,
            try_from: None,
        };
        let model = |name: &str, fields: Vec<ModelField>| Model {
            name: name.into(),
            file: "src/m.rs".into(),
            line: 1,
            rename_all: None,
            fields,
            mapping: ModelMapping::default(),
        };
        let mut audit = f("audit", "Audit");
        audit.flatten = true;
        let mut prefs = f("prefs", "Prefs");
        prefs.json = true;
        let mut n = f("n", "u64");
        n.try_from = Some("i64".into());
        let mut cache = f("cache", "String");
        cache.skip = true;
        let code = CodeEvidence {
            models: vec![
                model("User", vec![f("id", "i64"), audit, prefs, n, cache]),
                model("Audit", vec![f("created_by", "String")]),
            ],
            ..CodeEvidence::default()
        };
        let t = target_of(&code, &site("sqlx::query_as", "crate::User", "turbofish")).unwrap();
        assert_eq!(t.shape, TargetShape::Struct);
        let names: Vec<&str> = t.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "created_by", "prefs", "n", "cache"]);
        assert!(t.fields[2].json);
        assert_eq!(t.fields[3].try_from.as_deref(), Some("i64"));
        assert!(t.fields[4].not_a_column);

        let t = target_of(&code, &site("query_as", "(i64, Option<String>)", "let")).unwrap();
        assert_eq!((t.shape, t.fields.len()), (TargetShape::Tuple, 2));

        let t = target_of(&code, &site("sqlx::query_scalar", "i64", "turbofish")).unwrap();
        assert_eq!(
            (t.shape, t.fields[0].rust_type.as_str()),
            (TargetShape::Scalar, "i64")
        );
        // A scalar type read off `let x: Vec<String> = query_scalar(..)` is not trusted.
        assert_eq!(
            target_of(&code, &site("query_scalar", "String", "let")),
            None
        );
        // A struct that is not a model found in the scan: unknown, not checked.
        assert_eq!(
            target_of(&code, &site("query_as", "Elsewhere", "turbofish")),
            None
        );
    }
}
