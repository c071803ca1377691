//! The analysis on the shapes real services send: each test names the shape it guards.

use super::*;

fn pg(sql: &str) -> StatementAccess {
    let a = analyse(sql, Backend::Postgres);
    assert!(a.parse_errors.is_empty(), "{:?}", a.parse_errors);
    assert_eq!(a.statements.len(), 1);
    a.statements.into_iter().next().unwrap()
}

/// `table.column` of every column used, read or written, each once.
fn cols(st: &StatementAccess) -> Vec<String> {
    let mut v: Vec<String> = st
        .columns
        .iter()
        .map(|c| format!("{}.{}", c.table, c.column))
        .collect();
    v.dedup();
    v
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

fn on(backend: Backend, sql: &str) -> StatementAccess {
    let a = analyse(sql, backend);
    assert!(a.parse_errors.is_empty(), "{sql}: {:?}", a.parse_errors);
    assert_eq!(a.statements.len(), 1, "{sql}");
    a.statements.into_iter().next().unwrap()
}

/// Every table used, read or written, each once.
fn tables(st: &StatementAccess) -> Vec<String> {
    let mut v: Vec<String> = st.tables.iter().map(|t| t.name.clone()).collect();
    v.dedup();
    v
}

fn outputs(st: &StatementAccess) -> Vec<String> {
    st.output
        .iter()
        .map(|o| o.name.clone().unwrap_or_default())
        .collect()
}

#[test]
fn data_modifying_cte_is_not_a_table() {
    let st = pg(
        "with inserted as (insert into jobs (kind, payload) values ($1, $2) \
                 returning id, kind) select id, kind from inserted",
    );
    assert_eq!(tables(&st), ["jobs"]);
    assert_eq!(cols(&st), ["jobs.id", "jobs.kind", "jobs.payload"]);
    assert_eq!(st.single_source_table(), Some("jobs"));
}

#[test]
fn cte_feeding_an_update_is_not_a_table() {
    let st = pg(
        "with picked as (select id from jobs where state = 'new' order by run_at \
                 limit 10 for update skip locked) update jobs set state = 'running' \
                 from picked where jobs.id = picked.id returning jobs.id",
    );
    assert_eq!(tables(&st), ["jobs"]);
    let c = cols(&st);
    for want in ["jobs.id", "jobs.state", "jobs.run_at"] {
        assert!(c.contains(&want.to_string()), "{want} in {c:?}");
    }
    assert!(!c.iter().any(|x| x.starts_with("picked")), "{c:?}");
}

#[test]
fn ctes_referenced_by_later_ctes_and_nested_ctes_resolve() {
    let st = pg(
        "with a as (select id, user_id from orders), b as (select a.user_id from a \
                 join users u on u.id = a.user_id) select * from (with c as (select user_id \
                 from b) select user_id from c) x",
    );
    assert_eq!(tables(&st), ["orders", "users"]);
    assert!(cols(&st).contains(&"orders.user_id".to_string()));
}

#[test]
fn recursive_cte_refers_to_itself() {
    let st = pg(
        "with recursive tree(id, parent_id) as (select id, parent_id from nodes where \
                 id = $1 union all select n.id, n.parent_id from nodes n join tree t on \
                 n.parent_id = t.id) select id from tree",
    );
    assert_eq!(tables(&st), ["nodes"]);
    assert_eq!(cols(&st), ["nodes.id", "nodes.parent_id"]);
}

#[test]
fn named_arguments_are_not_columns() {
    let st = pg(
        "select id from jobs where finished_at < now() - make_interval(days => $1) \
                 and started_at > now() - make_interval(secs := $2)",
    );
    assert_eq!(
        cols(&st),
        ["jobs.finished_at", "jobs.id", "jobs.started_at"]
    );
}

#[test]
fn table_functions_are_not_tables() {
    for sql in [
        "select t.id, t.name from unnest($1::int8[], $2::text[]) as t(id, name)",
        "select x.id from jsonb_to_recordset($1::jsonb) as x(id int, name text)",
        "select g.d::date from generate_series($1::date, $2::date, interval '1 day') as g(d)",
        "select d from generate_series(1, 10) d",
    ] {
        let st = pg(sql);
        assert!(st.tables.is_empty(), "{sql}: {:?}", st.tables);
        assert!(st.columns.is_empty(), "{sql}: {:?}", st.columns);
    }
    let st = pg("insert into tags (post_id, name) select $1, t from unnest($2::text[]) as t");
    assert_eq!(tables(&st), ["tags"]);
    assert_eq!(cols(&st), ["tags.name", "tags.post_id"]);
    let st = on(
        Backend::Sqlite,
        "select p.id, j.value from posts p, json_each(p.tags) j",
    );
    assert_eq!(tables(&st), ["posts"]);
    assert_eq!(cols(&st), ["posts.id", "posts.tags"]);
}

#[test]
fn values_lists_with_alias_columns_resolve_by_name() {
    let st = pg(
        "update items i set price = v.price from (values ($1::int8, $2::int8)) as \
                 v(id, price) where i.id = v.id",
    );
    assert_eq!(tables(&st), ["items"]);
    assert_eq!(cols(&st), ["items.id", "items.price"]);
}

#[test]
fn lateral_items_see_the_items_before_them() {
    let st = pg(
        "select u.id, l.n from users u cross join lateral (select count(*) as n \
                 from orders o where o.user_id = u.id and total > 0) l",
    );
    let c = cols(&st);
    assert!(c.contains(&"orders.user_id".to_string()), "{c:?}");
    assert!(c.contains(&"users.id".to_string()), "{c:?}");
    // `total` may be an outer column inside LATERAL: not guessed.
    assert!(!c.iter().any(|x| x.ends_with(".total")), "{c:?}");
    let st = pg("select u.id, t from users u, unnest(u.tags) t");
    assert_eq!(cols(&st), ["users.id", "users.tags"]);
}

#[test]
fn filter_window_and_distinct_on_read_their_columns() {
    let st = pg(
        "select user_id, count(*) filter (where status = 'done') as done, \
                 row_number() over w as rn from tasks window w as (partition by user_id \
                 order by created_at) ",
    );
    assert_eq!(
        cols(&st),
        ["tasks.created_at", "tasks.status", "tasks.user_id"]
    );
    let st = pg(
        "select distinct on (user_id) user_id, created_at from logins \
                 order by user_id, created_at desc",
    );
    assert_eq!(cols(&st), ["logins.created_at", "logins.user_id"]);
}

#[test]
fn on_conflict_excluded_is_the_target() {
    let st = pg(
        "insert into counters (key, n) values ($1, 1) on conflict (key) do update \
                 set n = counters.n + excluded.n returning n",
    );
    assert_eq!(tables(&st), ["counters"]);
    assert_eq!(cols(&st), ["counters.key", "counters.n"]);
    assert!(!cols(&st).iter().any(|c| c.starts_with("excluded")));
}

#[test]
fn update_from_and_delete_using_resolve_every_table() {
    let st = pg(
        "update accounts a set balance = a.balance + t.amount from transfers t \
                 where t.account_id = a.id",
    );
    assert_eq!(tables(&st), ["accounts", "transfers"]);
    let c = cols(&st);
    for want in [
        "accounts.balance",
        "accounts.id",
        "transfers.account_id",
        "transfers.amount",
    ] {
        assert!(c.contains(&want.to_string()), "{want} in {c:?}");
    }
    let st = pg("delete from sessions s using users u where s.user_id = u.id and u.banned");
    assert_eq!(tables(&st), ["sessions", "users"]);
    assert_eq!(cols(&st), ["sessions.user_id", "users.banned", "users.id"]);
}

#[test]
fn quoted_and_schema_qualified_names_keep_their_spelling() {
    let st =
        pg("select \"User\".\"Id\" from \"User\" join app.orgs o on o.id = \"User\".\"OrgId\"");
    assert_eq!(tables(&st), ["User", "orgs"]);
    assert_eq!(st.tables[1].schema.as_deref(), Some("app"));
    assert_eq!(cols(&st), ["User.Id", "User.OrgId", "orgs.id"]);
}

#[test]
fn composite_field_access_reads_the_column_not_the_field() {
    let st = pg("select (t.addr).city as city from people t where (t.addr).zip = $1");
    assert_eq!(cols(&st), ["people.addr"]);
}

#[test]
fn sqlx_overrides_are_not_part_of_the_name() {
    let st = pg(
        "select id as \"id!\", name as \"name?\", kind as \"kind: Kind\", \
                 count(*) over () as \"total!: i64\" from items",
    );
    assert_eq!(outputs(&st), ["id", "name", "kind", "total"]);
    assert_eq!(st.output[0].column.as_deref(), Some("id"));
}

#[test]
fn casts_any_extract_interval_and_time_zones_read_only_columns() {
    let st = pg(
        "select extract(epoch from (now() - created_at))::bigint as age, \
                 created_at at time zone 'UTC' as utc, coalesce(nick, name) as shown, \
                 case when admin then 'a' else 'u' end as role from users \
                 where id = any($1) and tags && $2::text[] and created_at > now() - interval '1 day'",
    );
    assert_eq!(
        cols(&st),
        [
            "users.admin",
            "users.created_at",
            "users.id",
            "users.name",
            "users.nick",
            "users.tags"
        ]
    );
    assert_eq!(outputs(&st), ["age", "utc", "shown", "role"]);
}

#[test]
fn group_by_alias_or_ordinal_and_order_by_output_names_are_not_columns() {
    let st = pg(
        "select date_trunc('day', created_at) as day, count(*) as n from events \
                 group by day order by 1, n desc",
    );
    assert_eq!(cols(&st), ["events.created_at"]);
    let st = pg("select user_id, created_at from events order by created_at desc");
    assert_eq!(cols(&st), ["events.created_at", "events.user_id"]);
}

#[test]
fn whole_row_references_and_implicit_columns_are_not_columns() {
    let st = pg("select row_to_json(u) as j, u.ctid from users u");
    assert!(st.columns.is_empty(), "{:?}", st.columns);
    let st = on(
        Backend::Sqlite,
        "select rowid, key from kv where rowid = ?1",
    );
    assert_eq!(cols(&st), ["kv.key"]);
}

#[test]
fn mysql_backticks_and_placeholders() {
    let st = on(
        Backend::Mysql,
        "select `id`, `Name` from `Users` where `email` = ? limit ?",
    );
    assert_eq!(tables(&st), ["Users"]);
    assert_eq!(cols(&st), ["Users.Name", "Users.email", "Users.id"]);
    let st = on(
        Backend::Mysql,
        "insert into users (email, n) values (?, 1) on duplicate key update n = n + values(n)",
    );
    assert_eq!(cols(&st), ["users.email", "users.n"]);
    let st = on(
        Backend::Mysql,
        "insert into users (email) values (?) as new on duplicate key update email = new.email",
    );
    assert_eq!(cols(&st), ["users.email"]);
    // A double-quoted word is a string in MySQL.
    let st = on(
        Backend::Mysql,
        "select id from users where kind = \"admin\"",
    );
    assert_eq!(cols(&st), ["users.id", "users.kind"]);
}

#[test]
fn sqlite_parameters_and_insert_or_replace() {
    let st = on(
        Backend::Sqlite,
        "select id from books where id = ?1 and title = :title and year > @y",
    );
    assert_eq!(cols(&st), ["books.id", "books.title", "books.year"]);
    let st = on(
        Backend::Sqlite,
        "insert or replace into kv (key, value) values (?1, ?2)",
    );
    assert_eq!(cols(&st), ["kv.key", "kv.value"]);
    let st = on(
        Backend::Sqlite,
        "insert into kv (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
    );
    assert_eq!(cols(&st), ["kv.key", "kv.value"]);
}

#[test]
fn temporary_objects_and_search_path_are_recorded_as_created() {
    let st = pg(
        "create temporary table doomed on commit drop as (select id from jobs \
                 where finished_at < now() - interval '7 days')",
    );
    assert_eq!(st.kind, "create");
    assert_eq!(tables(&st), ["jobs"]);
    assert_eq!(
        st.creates,
        [SessionObject {
            kind: SessionObjectKind::TemporaryTable,
            name: "doomed".into()
        }]
    );
    let st = pg("create temp view recent as select id from jobs");
    assert_eq!(st.creates[0].kind, SessionObjectKind::TemporaryView);
    let st = pg("set local search_path to tenant_1, public");
    assert_eq!(st.creates[0].kind, SessionObjectKind::SearchPath);
    let st = pg("select set_config('search_path', $1, true)");
    assert_eq!(st.creates[0].kind, SessionObjectKind::SearchPath);
    // A persistent table is not a session object.
    assert!(pg("create table t (id int)").creates.is_empty());
}

#[test]
fn what_the_parser_cannot_read_is_not_analysed_and_nothing_is_guessed() {
    let a = analyse("select from where jobs", Backend::Postgres);
    assert!(a.statements.is_empty());
    assert!(a.not_analysed().unwrap().starts_with("not analysed"));
}

#[test]
fn empty_pieces_between_semicolons_are_dropped() {
    let split = split_statements("*/END;;\n;  ;SELECT 1;");
    let texts: Vec<&str> = split.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["*/END", "SELECT 1"]);
}

#[test]
fn an_insert_records_its_column_list_row_source_and_conflict_target() {
    let st = pg(
        "INSERT INTO app.notes (id, body) VALUES ($1, $2), ($3, $4) \
                 ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body RETURNING id",
    );
    let w = &st.writes[0];
    assert_eq!(w.kind, WriteKind::Insert);
    assert_eq!(
        (w.schema.as_deref(), w.table.as_str()),
        (Some("app"), "notes")
    );
    assert_eq!(w.columns, ["id", "body"]);
    assert_eq!(w.source, Some(InsertSource::Values { width: 2 }));
    let c = w.conflict.as_ref().unwrap();
    assert_eq!(
        (c.columns.as_slice(), c.action),
        (&["id".to_string()][..], ConflictAction::Update)
    );
    let st = pg("INSERT INTO t DEFAULT VALUES");
    assert_eq!(st.writes[0].source, Some(InsertSource::DefaultValues));
    assert!(st.writes[0].columns.is_empty());
    let st = pg("INSERT INTO t (a) SELECT a FROM u ON CONFLICT ON CONSTRAINT t_a_key DO NOTHING");
    assert_eq!(st.writes[0].source, Some(InsertSource::Query));
    let c = st.writes[0].conflict.as_ref().unwrap();
    assert_eq!(c.constraint.as_deref(), Some("t_a_key"));
    assert!(c.columns.is_empty());
    let st = pg("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) WHERE a > 0 DO NOTHING");
    assert!(st.writes[0].conflict.as_ref().unwrap().predicate);
}

#[test]
fn mysql_and_sqlite_insert_forms_keep_their_columns_and_ignore_flags() {
    let st = on(Backend::Mysql, "INSERT IGNORE INTO t SET a = 'x', b = ?");
    let w = &st.writes[0];
    assert_eq!(w.columns, ["a", "b"]);
    assert_eq!(w.source, Some(InsertSource::Set));
    assert!(w.ignore);
    let st = on(
        Backend::Mysql,
        "INSERT INTO t (a) VALUES (?) ON DUPLICATE KEY UPDATE a = VALUES(a)",
    );
    assert_eq!(
        st.writes[0].conflict.as_ref().map(|c| c.action),
        Some(ConflictAction::Update)
    );
    assert!(!st.writes[0].ignore);
    let st = on(Backend::Sqlite, "INSERT OR IGNORE INTO t (a) VALUES (?1)");
    assert!(st.writes[0].ignore);
    let st = on(Backend::Sqlite, "INSERT OR REPLACE INTO t (a) VALUES (?1)");
    assert!(
        !st.writes[0].ignore,
        "REPLACE still fails on a NOT NULL column"
    );
}

#[test]
fn updates_and_deletes_record_their_target_and_set_columns() {
    let st = pg("UPDATE accounts SET email = $1, mood = 'sad' WHERE id = $2");
    let w = &st.writes[0];
    assert_eq!((w.kind, w.table.as_str()), (WriteKind::Update, "accounts"));
    assert_eq!(w.columns, ["email", "mood"]);
    let st = pg("DELETE FROM app.sessions WHERE expires_at < now()");
    assert_eq!(
        (
            st.writes[0].kind,
            st.writes[0].schema.as_deref(),
            st.writes[0].table.as_str()
        ),
        (WriteKind::Delete, Some("app"), "sessions")
    );
    // A data-modifying CTE is a write of the statement too.
    let st = pg("WITH gone AS (DELETE FROM jobs WHERE done RETURNING id) \
                 INSERT INTO archive (job_id) SELECT id FROM gone");
    let kinds: Vec<(WriteKind, &str)> = st
        .writes
        .iter()
        .map(|w| (w.kind, w.table.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [(WriteKind::Delete, "jobs"), (WriteKind::Insert, "archive")]
    );
    // MySQL's multi-table DELETE writes the named tables only.
    let st = on(
        Backend::Mysql,
        "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.x = 1",
    );
    assert_eq!(st.writes.len(), 1);
    assert_eq!(st.writes[0].table, "t1");
}

#[test]
fn string_literals_compared_with_or_written_to_a_column_are_recorded() {
    let st = pg(
        "SELECT id FROM accounts WHERE mood = 'angry' AND 'sad' <> mood \
                 AND kind IN ('a', 'b') AND note = $1",
    );
    let lits: Vec<(&str, &str, bool)> = st
        .literals
        .iter()
        .map(|l| (l.column.as_str(), l.literal.as_str(), l.written))
        .collect();
    assert_eq!(
        lits,
        [
            ("kind", "a", false),
            ("kind", "b", false),
            ("mood", "angry", false),
            ("mood", "sad", false)
        ]
    );
    let st = pg("INSERT INTO accounts (email, mood) VALUES ($1, 'angry')");
    assert_eq!(st.literals.len(), 1);
    assert!(st.literals[0].written);
    assert_eq!(st.literals[0].column, "mood");
    let st = pg("UPDATE accounts SET mood = 'bored' WHERE id = $1");
    assert_eq!(
        (st.literals[0].literal.as_str(), st.literals[0].written),
        ("bored", true)
    );
    // A literal cast to something else, or compared with an expression, is not recorded.
    assert!(
        pg("SELECT id FROM accounts WHERE mood::text = 'x'")
            .literals
            .is_empty()
    );
    // Nor is a value compared with a column whose name looks secret.
    assert!(
        pg("SELECT id FROM accounts WHERE api_key = 'sk_live_123'")
            .literals
            .is_empty()
    );
    // An unqualified column with two tables in scope is not certain: nothing recorded.
    assert!(
        pg("SELECT 1 FROM a JOIN b ON a.id = b.id WHERE mood = 'x'")
            .literals
            .is_empty()
    );
}

#[test]
fn function_calls_and_the_sequences_they_name_are_recorded() {
    let st = pg(
        "SELECT app.risk_score($1), nextval('orders_id_seq'::regclass), \
                 currval('app.seq') FROM generate_series(1, 3) g",
    );
    let f: Vec<(Option<&str>, &str, Option<&str>)> = st
        .functions
        .iter()
        .map(|f| (f.schema.as_deref(), f.name.as_str(), f.sequence.as_deref()))
        .collect();
    assert!(f.contains(&(Some("app"), "risk_score", None)), "{f:?}");
    assert!(
        f.contains(&(None, "nextval", Some("orders_id_seq"))),
        "{f:?}"
    );
    assert!(f.contains(&(None, "currval", Some("app.seq"))), "{f:?}");
    assert!(f.contains(&(None, "generate_series", None)), "{f:?}");
}
