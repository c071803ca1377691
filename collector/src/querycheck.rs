//! Query validation: asks the live database to Parse/Describe each statement found in the code,
//! inside the collector's read-only transaction, and never executes one.
//!
//! Postgres: every statement runs in its own SAVEPOINT (a rejected Parse would otherwise abort
//! the whole transaction), under transaction-local `statement_timeout` and `lock_timeout` so
//! a statement waiting on a lock (a migration holding an ACCESS EXCLUSIVE lock) gives up
//! quickly, with a client-side timeout behind that. SELECT-like statements go through sqlx's
//! `describe` (Parse + Describe, plus sqlx's nullability inference: a catalog query and an
//! `EXPLAIN` without ANALYZE, which plans and never runs); INSERT/UPDATE/DELETE only through
//! `prepare` (Parse + Describe). sqlx prepares under a *named* statement (`sqlx_s_N`); every
//! one is closed with a protocol Close before the transaction ends, so none outlives it,
//! which is what a transaction-mode pooler (PgBouncer, Neon `-pooler`) needs: the whole check
//! runs in one transaction, i.e. on one server connection.
//!
//! SQLite: `describe` compiles the statement (`sqlite3_prepare`) and reads its bytecode with
//! `EXPLAIN`; nothing is stepped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gaps_core::code::CodeEvidence;
use gaps_core::code::model::QuerySite;
use gaps_core::querycheck::{
    DescribedColumn, LiveDescribe, OfflineCheck, OfflineColumn, OfflineDescribe, OfflineEntry,
    OfflineProblem, Outcome, QueryChecks, QueryCounts, Rejection, StatementCheck, StatementKind,
    TargetField, TargetShape, TargetType, classify, error_subject, not_checkable_reason,
    position_line,
};
use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Column, Connection, Database, Either, Executor, SqlSafeStr, TypeInfo};

use crate::cli::CollectArgs;
use crate::db::{DbError, Session};

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
    /// The `.sqlx/` folder to compare, with the name to record for it.
    pub offline_dir: Option<(PathBuf, String)>,
    /// Whether the statements came from a source scan (so "no longer in the source" can be
    /// told).
    pub source_scanned: bool,
}

/// What one distinct SQL text gave.
#[derive(Debug, Clone)]
struct Live {
    /// Ok, a rejection without the site-specific line, or not checkable.
    outcome: Outcome,
    columns: Vec<LiveColumn>,
    /// (display name, offline spelling).
    params: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
struct LiveColumn {
    name: String,
    type_name: String,
    type_info: String,
    nullable: Option<bool>,
}

impl Live {
    fn not_checkable(reason: String) -> Live {
        Live {
            outcome: Outcome::NotCheckable { reason },
            columns: Vec::new(),
            params: Vec::new(),
        }
    }

    fn offline(&self) -> OfflineDescribe {
        OfflineDescribe {
            columns: self
                .columns
                .iter()
                .map(|c| OfflineColumn {
                    name: c.name.clone(),
                    type_info: c.type_info.clone(),
                    nullable: c.nullable,
                })
                .collect(),
            parameters: self.params.iter().map(|(_, o)| o.clone()).collect(),
        }
    }
}

/// Describes every statement in `inputs` (and every `.sqlx/` cached query) on `session`.
/// Fails only when the session itself breaks (a SAVEPOINT cannot be set); a statement that is
/// rejected, times out or cannot be prepared is recorded and the next one is checked.
pub async fn check(
    session: &mut Session,
    inputs: &[StatementInput],
    opts: &CheckOptions,
) -> Result<QueryChecks, DbError> {
    let backend = session.backend();
    let mut d = Describer::start(session, opts.timeout).await?;
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
                            let live = d.describe(sql, kind).await?;
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
            compare_offline(&mut d, &mut cache, dir, shown, inputs, opts.source_scanned).await?,
        ),
    };
    d.finish().await?;
    statements.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(QueryChecks {
        backend,
        counts: QueryCounts::of(&statements),
        statements,
        offline,
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

/// The statement-by-statement session state.
struct Describer<'s> {
    session: &'s mut Session,
    timeout: Duration,
    /// Set when a statement did not answer within the client-side timeout: the connection's
    /// protocol state is unknown, so nothing more is sent on it.
    abandoned: Option<String>,
}

impl<'s> Describer<'s> {
    async fn start(session: &'s mut Session, timeout: Duration) -> Result<Describer<'s>, DbError> {
        let mut d = Describer {
            session,
            timeout,
            abandoned: None,
        };
        if let Session::Postgres(_) = d.session {
            let ms = timeout.as_millis().max(1);
            // The outer savepoint scopes the SET LOCALs: rolling back to it at the end
            // restores the session's own timeouts for anything that runs later.
            d.control("SAVEPOINT gaps_querycheck".into()).await?;
            d.control(format!("SET LOCAL statement_timeout = {ms}"))
                .await?;
            d.control(format!("SET LOCAL lock_timeout = {ms}")).await?;
        }
        Ok(d)
    }

    async fn control(&mut self, sql: String) -> Result<(), DbError> {
        let during = format!("validating queries ({sql})");
        let result = match &mut *self.session {
            Session::Postgres(conn) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .map(|_| ()),
            Session::Sqlite(conn) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .map(|_| ()),
            Session::Mysql(conn) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .map(|_| ()),
        };
        result.map_err(|e| DbError::Statement {
            during,
            message: e.to_string(),
        })
    }

    async fn describe(&mut self, sql: &str, kind: StatementKind) -> Result<Live, DbError> {
        if let Some(reason) = &self.abandoned {
            return Ok(Live::not_checkable(reason.clone()));
        }
        let full = kind == StatementKind::Query;
        match self.attempt(sql, full).await? {
            Attempt::Done(live) => Ok(live),
            // sqlx's nullability inference failed after a clean Parse, or the Parse itself
            // failed: a bare Parse/Describe tells which, and gives the server's own error.
            Attempt::Failed(_) if full => match self.attempt(sql, false).await? {
                Attempt::Done(live) => Ok(live),
                Attempt::Failed(e) => Ok(failure(&e, self.timeout)),
            },
            Attempt::Failed(e) => Ok(failure(&e, self.timeout)),
        }
    }

    async fn attempt(&mut self, sql: &str, full: bool) -> Result<Attempt, DbError> {
        let is_pg = matches!(self.session, Session::Postgres(_));
        if is_pg {
            self.control("SAVEPOINT gaps_query".into()).await?;
        }
        let text = AssertSqlSafe(sql.to_string()).into_sql_str();
        // The server's statement_timeout fires first; this only guards against a server
        // that stops answering altogether.
        let limit = self.timeout + Duration::from_secs(2);
        let work = async {
            match &mut *self.session {
                Session::Postgres(conn) => {
                    if full {
                        conn.describe(text).await.map(|d| {
                            from_parts::<sqlx::Postgres>(&d.columns, d.parameters, &d.nullable)
                        })
                    } else {
                        let st = conn.prepare(text).await?;
                        Ok(statement_parts::<sqlx::Postgres, _>(&st))
                    }
                }
                Session::Sqlite(conn) => {
                    if full {
                        conn.describe(text).await.map(|d| {
                            from_parts::<sqlx::Sqlite>(&d.columns, d.parameters, &d.nullable)
                        })
                    } else {
                        let st = conn.prepare(text).await?;
                        Ok(statement_parts::<sqlx::Sqlite, _>(&st))
                    }
                }
                // COM_STMT_PREPARE only: the server parses and resolves the statement and
                // reports its parameters and columns; nothing is executed. A failed prepare
                // does not abort the transaction on MySQL, so no savepoint is needed.
                Session::Mysql(conn) => {
                    if full {
                        conn.describe(text).await.map(|d| {
                            from_parts::<sqlx::MySql>(&d.columns, d.parameters, &d.nullable)
                        })
                    } else {
                        let st = conn.prepare(text).await?;
                        Ok(statement_parts::<sqlx::MySql, _>(&st))
                    }
                }
            }
        };
        match tokio::time::timeout(limit, work).await {
            Err(_) => {
                let reason = format!(
                    "no answer within {:.1}s; the connection was abandoned, later statements \
                     were not described",
                    limit.as_secs_f64()
                );
                self.abandoned = Some(reason.clone());
                Ok(Attempt::Done(Live::not_checkable(format!(
                    "the database did not answer within {:.1}s",
                    limit.as_secs_f64()
                ))))
            }
            Ok(Ok(live)) => {
                if is_pg {
                    self.control("RELEASE SAVEPOINT gaps_query".into()).await?;
                }
                Ok(Attempt::Done(live))
            }
            Ok(Err(e)) => {
                if matches!(e, sqlx::Error::Io(_)) {
                    self.abandoned = Some(format!("the connection failed: {e}"));
                    return Ok(Attempt::Done(Live::not_checkable(format!(
                        "the connection failed while describing it: {e}"
                    ))));
                }
                if is_pg {
                    self.control("ROLLBACK TO SAVEPOINT gaps_query".into())
                        .await?;
                }
                Ok(Attempt::Failed(e))
            }
        }
    }

    /// Closes every statement sqlx prepared and restores the session's timeouts.
    async fn finish(self) -> Result<(), DbError> {
        if self.abandoned.is_some() {
            return Ok(());
        }
        let Describer { session, .. } = self;
        let closed = match &mut *session {
            Session::Postgres(conn) => conn.clear_cached_statements().await,
            Session::Sqlite(conn) => conn.clear_cached_statements().await,
            Session::Mysql(conn) => conn.clear_cached_statements().await,
        };
        closed.map_err(|e| DbError::Statement {
            during: "closing the statements prepared for query validation".into(),
            message: e.to_string(),
        })?;
        if let Session::Postgres(conn) = session {
            for sql in [
                "ROLLBACK TO SAVEPOINT gaps_querycheck",
                "RELEASE SAVEPOINT gaps_querycheck",
            ] {
                sqlx::raw_sql(sql)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| DbError::Statement {
                        during: format!("validating queries ({sql})"),
                        message: e.to_string(),
                    })?;
            }
        }
        Ok(())
    }
}

enum Attempt {
    Done(Live),
    Failed(sqlx::Error),
}

/// The outcome of a statement the database would not prepare.
fn failure(e: &sqlx::Error, timeout: Duration) -> Live {
    let Some(db) = e.as_database_error() else {
        return Live::not_checkable(format!("could not be described: {e}"));
    };
    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
    let secs = timeout.as_secs_f64();
    let reason = match code.as_str() {
        // Parameter types come from the Rust values bound at run time; sqlx sends them with
        // the Parse, gaps has none to send.
        "42P18" | "42P08" => Some(format!(
            "the database needs the bound values' types to read it ({})",
            db.message()
        )),
        "57014" => Some(format!("did not finish within {secs:.1}s")),
        // MariaDB refuses to even prepare a write inside a READ ONLY transaction (error
        // 1792), and the collector never leaves one. (Postgres raises this only on execute.)
        "25006" => Some(
            "a write cannot be prepared inside the read-only transaction on MariaDB/MySQL, \
             so it was not checked"
                .to_string(),
        ),
        "55P03" => Some(format!(
            "waited more than {secs:.1}s for a lock on a table it reads (a migration or ALTER \
             holding it?)"
        )),
        // A leftover server-side statement of the same name: a transaction-mode pooler
        // mixing clients' prepared statements on one server connection.
        "42P05" | "26000" => Some(format!(
            "prepared-statement name clash on the server connection (a transaction-mode \
             pooler?): {}",
            db.message()
        )),
        _ => None,
    };
    if let Some(reason) = reason {
        return Live::not_checkable(reason);
    }
    let message = db.message().to_string();
    let (table_named, column_named) = error_subject(&message);
    let mut rejection = Rejection {
        sqlstate: code,
        message,
        detail: None,
        hint: None,
        position: None,
        line: None,
        table: table_named,
        column: column_named,
    };
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        rejection.detail = pg.detail().map(str::to_owned);
        rejection.hint = pg.hint().map(str::to_owned);
        if let Some(sqlx::postgres::PgErrorPosition::Original(p)) = pg.position() {
            rejection.position = Some(p as u32);
        }
        rejection.table = rejection.table.or_else(|| pg.table().map(str::to_owned));
        rejection.column = rejection.column.or_else(|| pg.column().map(str::to_owned));
    }
    Live {
        outcome: Outcome::Rejected(rejection),
        columns: Vec::new(),
        params: Vec::new(),
    }
}

fn statement_parts<DB, S>(st: &S) -> Live
where
    DB: Database,
    DB::TypeInfo: Serialize,
    S: sqlx::Statement<Database = DB>,
{
    from_parts::<DB>(
        st.columns(),
        st.parameters()
            .map(|p| p.map_left(<[DB::TypeInfo]>::to_vec)),
        &[],
    )
}

fn from_parts<DB>(
    columns: &[DB::Column],
    params: Option<Either<Vec<DB::TypeInfo>, usize>>,
    nullable: &[Option<bool>],
) -> Live
where
    DB: Database,
    DB::TypeInfo: Serialize,
{
    let columns = columns
        .iter()
        .enumerate()
        .map(|(i, c)| LiveColumn {
            name: c.name().to_string(),
            type_name: c.type_info().name().to_string(),
            type_info: offline_spelling(c.type_info()),
            nullable: nullable.get(i).copied().flatten(),
        })
        .collect();
    let params = match params {
        Some(Either::Left(types)) => types
            .iter()
            .map(|t| (t.name().to_string(), offline_spelling(t)))
            .collect(),
        Some(Either::Right(n)) => (0..n).map(|_| ("?".into(), "?".into())).collect(),
        None => Vec::new(),
    };
    Live {
        outcome: Outcome::Ok,
        columns,
        params,
    }
}

/// `type_info` the way sqlx writes it into `.sqlx/` files.
fn offline_spelling<T: Serialize>(t: &T) -> String {
    json_spelling(&serde_json::to_value(t).unwrap_or(serde_json::Value::Null))
}

fn json_spelling(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads `.sqlx/query-*.json` and describes each cached query live.
async fn compare_offline(
    d: &mut Describer<'_>,
    cache: &mut HashMap<String, Live>,
    dir: &Path,
    shown: &str,
    inputs: &[StatementInput],
    source_scanned: bool,
) -> Result<OfflineCheck, DbError> {
    let (cached, problems) = read_offline_dir(dir);
    let mut entries = Vec::with_capacity(cached.len());
    for (file, query, describe) in cached {
        let in_source = source_scanned.then(|| {
            inputs
                .iter()
                .any(|i| i.sql.as_deref().map(str::trim) == Some(query.trim()))
        });
        let kind = classify(&query);
        let live = match not_checkable_reason(kind, &query) {
            Some(reason) => LiveDescribe::NotDescribed { reason },
            None => {
                if !cache.contains_key(&query) {
                    let live = d.describe(&query, kind).await?;
                    cache.insert(query.clone(), live);
                }
                let live = &cache[&query];
                match &live.outcome {
                    Outcome::Ok => LiveDescribe::Described(live.offline()),
                    Outcome::Rejected(r) => LiveDescribe::Rejected(r.clone()),
                    Outcome::NotCheckable { reason } => LiveDescribe::NotDescribed {
                        reason: reason.clone(),
                    },
                }
            }
        };
        entries.push(OfflineEntry {
            file,
            query,
            in_source,
            cached: describe,
            live,
        });
    }
    Ok(OfflineCheck {
        directory: shown.to_string(),
        entries,
        problems,
    })
}

type CachedQuery = (String, String, OfflineDescribe);

/// Parses every `query-*.json` in `dir`, sorted by file name; unreadable files become
/// problems naming the file.
pub fn read_offline_dir(dir: &Path) -> (Vec<CachedQuery>, Vec<OfflineProblem>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with("query-") && n.ends_with(".json"))
            .collect(),
        Err(e) => {
            problems.push(OfflineProblem {
                file: dir.display().to_string(),
                message: format!("cannot read the directory: {e}"),
            });
            Vec::new()
        }
    };
    names.sort();
    for name in names {
        let path = dir.join(&name);
        match std::fs::read(&path)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|bytes| parse_offline(&bytes))
        {
            Ok((query, describe)) => found.push((name, query, describe)),
            Err(message) => problems.push(OfflineProblem {
                file: name,
                message,
            }),
        }
    }
    (found, problems)
}

/// Parses one sqlx offline file: `query`, `describe.columns[].{name,type_info}`,
/// `describe.parameters` (`{"Left": [...]}` or `{"Right": n}`), `describe.nullable`.
pub fn parse_offline(bytes: &[u8]) -> Result<(String, OfflineDescribe), String> {
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("not valid JSON at line {}: {e}", e.line()))?;
    let query = v["query"]
        .as_str()
        .ok_or("no \"query\" string: not an sqlx offline file")?
        .to_string();
    let describe = &v["describe"];
    let columns = describe["columns"]
        .as_array()
        .ok_or("no \"describe.columns\" array")?;
    let nullable = describe["nullable"].as_array();
    let columns = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(OfflineColumn {
                name: c["name"]
                    .as_str()
                    .ok_or(format!("describe.columns[{i}] has no name"))?
                    .to_string(),
                type_info: json_spelling(&c["type_info"]),
                nullable: nullable.and_then(|n| n.get(i)).and_then(|b| b.as_bool()),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let parameters = match &describe["parameters"] {
        serde_json::Value::Object(m) if m.contains_key("Left") => m["Left"]
            .as_array()
            .map(|a| a.iter().map(json_spelling).collect())
            .unwrap_or_default(),
        serde_json::Value::Object(m) if m.contains_key("Right") => {
            let n = m["Right"].as_u64().unwrap_or(0);
            (0..n).map(|_| "?".to_string()).collect()
        }
        _ => Vec::new(),
    };
    Ok((
        query,
        OfflineDescribe {
            columns,
            parameters,
        },
    ))
}

/// The longest a single statement's Parse/Describe may take, whatever `--statement-timeout`
/// says: a describe answers in milliseconds unless it waits on a lock.
pub const MAX_DESCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The query-checks section of `gaps collect`: the statements of the code section, described
/// on the open session, and the `.sqlx/` folder of the source when there is one.
pub async fn section(
    session: &mut Session,
    snapshot: &Snapshot,
    args: &CollectArgs,
) -> Section<QueryChecks> {
    if args.no_describe {
        return Section::skipped("--no-describe given");
    }
    let Some(source) = &args.source else {
        return Section::skipped("no --source given");
    };
    let Some(code) = snapshot.code.data() else {
        return Section::skipped("the source was not scanned, so no statements are known");
    };
    let opts = CheckOptions {
        timeout: args.statement_timeout().min(MAX_DESCRIBE_TIMEOUT),
        offline_dir: offline_dir(source),
        source_scanned: true,
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

    #[test]
    fn offline_files_parse_in_sqlx_spelling() {
        let text = br#"{"db_name":"PostgreSQL","query":"SELECT id FROM t WHERE x = $1",
            "describe":{"columns":[{"ordinal":0,"name":"id","type_info":"Int8"}],
            "parameters":{"Left":["Text"]},"nullable":[false]},"hash":"ab"}"#;
        let (q, d) = parse_offline(text).unwrap();
        assert_eq!(q, "SELECT id FROM t WHERE x = $1");
        assert_eq!(d.columns[0].type_info, "Int8");
        assert_eq!(d.columns[0].nullable, Some(false));
        assert_eq!(d.parameters, vec!["Text".to_string()]);
    }

    #[test]
    fn malformed_offline_files_say_what_is_wrong() {
        assert!(parse_offline(b"{").unwrap_err().contains("not valid JSON"));
        assert!(parse_offline(b"{}").unwrap_err().contains("\"query\""));
        assert!(
            parse_offline(br#"{"query":"x","describe":{}}"#)
                .unwrap_err()
                .contains("describe.columns")
        );
    }
}
