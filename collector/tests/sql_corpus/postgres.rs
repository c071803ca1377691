//! PostgreSQL shapes: data-modifying CTEs, named arguments, table functions with column
//! definition lists, VALUES with alias columns, LATERAL, FILTER, ON CONFLICT ... EXCLUDED,
//! RETURNING, UPDATE ... FROM, DELETE ... USING, quoted and schema-qualified names, composite
//! fields, sqlx's column overrides, arrays, `= ANY($1)`, EXTRACT, INTERVAL, AT TIME ZONE,
//! DISTINCT ON, JSONB, enums and system columns.

use crate::harness::{column, table};

crate::corpus! {
    /// `WITH inserted AS (INSERT ... RETURNING) SELECT ... FROM inserted`.
    pg_data_modifying_cte_insert {
        engines: [Pg],
        missing: column("jobs", "kind"),
        sql: "WITH inserted AS (INSERT INTO jobs (queue, kind, payload) VALUES ($1, $2, $3) RETURNING id, kind) \
              SELECT id, kind FROM inserted",
    }
    /// A DELETE ... RETURNING feeding an INSERT ... SELECT.
    pg_data_modifying_cte_delete_into_insert {
        engines: [Pg],
        missing: column("job_logs", "line"),
        sql: "WITH moved AS (DELETE FROM job_logs WHERE job_id = $1 RETURNING line) \
              INSERT INTO events (kind, data) SELECT 'log', to_jsonb(line) FROM moved",
    }
    /// A CTE picking rows for an UPDATE ... FROM.
    pg_cte_feeding_update_from {
        engines: [Pg],
        missing: column("jobs", "run_at"),
        sql: "WITH picked AS (SELECT id FROM jobs WHERE state = 'new' ORDER BY run_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
              UPDATE jobs SET state = 'running' FROM picked WHERE jobs.id = picked.id RETURNING jobs.id",
    }
    /// Two data-modifying CTEs, the second reading the first.
    pg_data_modifying_cte_chain {
        engines: [Pg],
        missing: table("transfers"),
        sql: "WITH a AS (UPDATE accounts SET balance = balance - $1 WHERE id = $2 RETURNING id), \
              b AS (INSERT INTO transfers (account_id, amount) SELECT id, -$1 FROM a RETURNING id) \
              SELECT id FROM b",
    }
    /// A CTE in front of an INSERT ... SELECT.
    pg_cte_then_insert_select {
        engines: [Pg],
        missing: column("job_logs", "line"),
        sql: "WITH src AS (SELECT id FROM jobs WHERE state = 'failed') \
              INSERT INTO job_logs (job_id, line) SELECT id, 'retry' FROM src",
    }
    /// A CTE in front of a DELETE.
    pg_cte_then_delete {
        engines: [Pg],
        missing: column("sessions", "expires_at"),
        sql: "WITH stale AS (SELECT id FROM sessions WHERE expires_at < now()) \
              DELETE FROM sessions WHERE id IN (SELECT id FROM stale)",
    }
    /// `make_interval(days => $1)`.
    pg_named_argument_arrow {
        engines: [Pg],
        missing: column("jobs", "run_at"),
        sql: "SELECT id FROM jobs WHERE run_at < now() - make_interval(days => $1)",
    }
    /// `make_interval(secs := $1)` in an UPDATE.
    pg_named_argument_colon_equals {
        engines: [Pg],
        missing: column("jobs", "finished_at"),
        sql: "UPDATE jobs SET finished_at = now() + make_interval(secs := $2) WHERE id = $1",
    }
    /// Several named arguments.
    pg_named_arguments_several {
        engines: [Pg],
        missing: column("events", "created_at"),
        sql: "SELECT id FROM events WHERE now() - created_at > make_interval(hours => $1, mins => $2)",
    }
    /// `unnest` of two arrays into an INSERT.
    pg_unnest_insert {
        engines: [Pg],
        missing: table("tags"),
        sql: "INSERT INTO tags (post_id, name) SELECT * FROM unnest($1::int8[], $2::text[])",
    }
    /// `unnest(...) AS t(a, b)` joined to a table.
    pg_unnest_with_column_names {
        engines: [Pg],
        missing: column("items", "stock"),
        sql: "SELECT t.id, t.qty FROM unnest($1::int8[], $2::int4[]) AS t(id, qty) \
              JOIN items i ON i.id = t.id WHERE i.stock >= t.qty",
    }
    /// `jsonb_to_recordset(...) AS x(col type, ...)`.
    pg_jsonb_to_recordset {
        engines: [Pg],
        missing: column("items", "sku"),
        sql: "INSERT INTO items (sku, name, price) SELECT x.sku, x.name, x.price \
              FROM jsonb_to_recordset($1::jsonb) AS x(sku text, name text, price int8)",
    }
    /// `generate_series` of dates left-joined to events.
    pg_generate_series_dates {
        engines: [Pg],
        missing: column("logins", "created_at"),
        sql: "SELECT g.d::date AS day, count(l.id) AS n \
              FROM generate_series($1::date, $2::date, interval '1 day') AS g(d) \
              LEFT JOIN logins l ON l.created_at::date = g.d::date GROUP BY 1 ORDER BY 1",
    }
    /// `generate_series` of integers joined to a table.
    pg_generate_series_integers {
        engines: [Pg],
        missing: column("items", "name"),
        sql: "SELECT g.n, i.name FROM generate_series(1, $1) AS g(n) JOIN items i ON i.id = g.n",
    }
    /// `(VALUES ...) AS v(a, b)` joined to a table.
    pg_values_with_column_names {
        engines: [Pg],
        missing: column("users", "deleted_at"),
        sql: "SELECT v.id, v.label FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, label) \
              JOIN users u ON u.id = v.id WHERE u.deleted_at IS NULL",
    }
    /// `UPDATE ... FROM (VALUES ...) AS v(a, b)`.
    pg_update_from_values {
        engines: [Pg],
        missing: column("items", "price"),
        sql: "UPDATE items AS i SET price = v.price FROM (VALUES ($1::int8, $2::int8)) AS v(id, price) WHERE i.id = v.id",
    }
    /// `LEFT JOIN LATERAL (...) ON true`.
    pg_left_join_lateral {
        engines: [Pg],
        missing: column("logins", "user_id"),
        sql: "SELECT u.id, l.last_login FROM users u LEFT JOIN LATERAL \
              (SELECT created_at AS last_login FROM logins WHERE logins.user_id = u.id ORDER BY created_at DESC LIMIT 1) l ON true",
    }
    /// `, LATERAL (...)` in the FROM list.
    pg_comma_lateral {
        engines: [Pg],
        missing: column("order_items", "order_id"),
        sql: "SELECT o.id, x.lines FROM orders o, LATERAL (SELECT count(*) AS lines FROM order_items oi WHERE oi.order_id = o.id) x",
    }
    /// `unnest(u.tags) AS t(tag)` beside its table.
    pg_lateral_unnest_of_a_column {
        engines: [Pg],
        missing: column("users", "tags"),
        sql: "SELECT u.id, t.tag FROM users u, unnest(u.tags) AS t(tag)",
    }
    /// `unnest ... WITH ORDINALITY`.
    pg_unnest_with_ordinality {
        engines: [Pg],
        missing: column("users", "tags"),
        sql: "SELECT u.id, t.tag, t.pos FROM users u, unnest(u.tags) WITH ORDINALITY AS t(tag, pos)",
    }
    /// Aggregates with `FILTER (WHERE ...)`.
    pg_aggregate_filter {
        engines: [Pg],
        missing: column("jobs", "state"),
        sql: "SELECT count(*) FILTER (WHERE state = 'done') AS done, count(*) FILTER (WHERE state = 'failed') AS failed FROM jobs",
    }
    /// FILTER with GROUP BY.
    pg_aggregate_filter_grouped {
        engines: [Pg],
        missing: column("jobs", "attempts"),
        sql: "SELECT queue, count(*) FILTER (WHERE attempts > 3) AS retried FROM jobs GROUP BY queue",
    }
    /// `ON CONFLICT (k) DO UPDATE SET n = t.n + EXCLUDED.n`.
    pg_upsert_excluded {
        engines: [Pg],
        missing: column("counters", "n"),
        sql: "INSERT INTO counters (key, n) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + EXCLUDED.n",
    }
    /// `ON CONFLICT DO NOTHING`.
    pg_upsert_do_nothing {
        engines: [Pg],
        missing: table("counters"),
        sql: "INSERT INTO counters (key) VALUES ($1) ON CONFLICT DO NOTHING",
    }
    /// `ON CONFLICT ... DO UPDATE ... WHERE`.
    pg_upsert_with_where {
        engines: [Pg],
        missing: column("kv", "updated_at"),
        sql: "INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE \
              SET value = excluded.value, updated_at = now() WHERE kv.value IS DISTINCT FROM excluded.value",
    }
    /// `ON CONFLICT ON CONSTRAINT name`.
    pg_upsert_on_constraint {
        engines: [Pg],
        missing: column("orgs", "name"),
        sql: "INSERT INTO orgs (name, slug) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT orgs_slug_key \
              DO UPDATE SET name = EXCLUDED.name RETURNING id",
    }
    /// An upsert telling insert from update with the system column `xmax`.
    pg_upsert_returning_xmax {
        engines: [Pg],
        missing: column("counters", "n"),
        sql: "INSERT INTO counters (key, n) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET n = EXCLUDED.n \
              RETURNING (xmax = 0) AS inserted",
    }
    /// `RETURNING *`.
    pg_insert_returning_star {
        engines: [Pg],
        missing: column("posts", "body"),
        sql: "INSERT INTO posts (author_id, title, body) VALUES ($1, $2, $3) RETURNING *",
    }
    /// `RETURNING` some columns of an INSERT.
    pg_insert_returning_columns {
        engines: [Pg],
        missing: column("orgs", "created_at"),
        sql: "INSERT INTO orgs (name, slug) VALUES ($1, $2) RETURNING id, created_at",
    }
    /// `UPDATE ... RETURNING`.
    pg_update_returning {
        engines: [Pg],
        missing: column("accounts", "balance"),
        sql: "UPDATE accounts SET balance = balance + $1 WHERE id = $2 RETURNING balance",
    }
    /// `UPDATE ... FROM` another table.
    pg_update_from_join {
        engines: [Pg],
        missing: column("transfers", "account_id"),
        sql: "UPDATE accounts a SET balance = a.balance + t.amount FROM transfers t WHERE t.account_id = a.id AND t.id = $1",
    }
    /// `DELETE ... USING ... RETURNING`.
    pg_delete_using {
        engines: [Pg],
        missing: column("users", "banned"),
        sql: "DELETE FROM sessions s USING users u WHERE s.user_id = u.id AND u.banned RETURNING s.id",
    }
    /// Removing duplicates by the system column `ctid`.
    pg_delete_duplicates_by_ctid {
        engines: [Pg],
        missing: column("logins", "ip"),
        sql: "DELETE FROM logins a USING logins b WHERE a.ctid < b.ctid AND a.user_id = b.user_id AND a.ip = b.ip",
    }
    /// `DELETE ... RETURNING`.
    pg_delete_returning {
        engines: [Pg],
        missing: column("sessions", "user_id"),
        sql: "DELETE FROM sessions WHERE user_id = $1 RETURNING id",
    }
    /// A quoted, mixed-case table and columns.
    pg_quoted_identifiers {
        engines: [Pg],
        missing: table("Settings"),
        sql: "SELECT \"Key\", \"Value\" FROM \"Settings\" WHERE \"Key\" = $1",
    }
    /// A quoted column written to.
    pg_quoted_identifiers_update {
        engines: [Pg],
        missing: column("Settings", "Value"),
        sql: "UPDATE \"Settings\" SET \"Value\" = $2 WHERE \"Key\" = $1",
    }
    /// A schema-qualified table.
    pg_schema_qualified_select {
        engines: [Pg],
        missing: table("audit.entries"),
        sql: "SELECT e.id, e.action FROM audit.entries e WHERE e.actor_id = $1",
    }
    /// An INSERT into a schema-qualified table.
    pg_schema_qualified_insert {
        engines: [Pg],
        missing: column("audit.entries", "action"),
        sql: "INSERT INTO audit.entries (actor_id, action) VALUES ($1, $2)",
    }
    /// `(t.col).field` on a composite column.
    pg_composite_field_access {
        engines: [Pg],
        missing: column("people", "addr"),
        sql: "SELECT id, (p.addr).city AS city FROM people p WHERE (p.addr).zip = $1",
    }
    /// sqlx overrides `"id!"` and `"name?"`.
    pg_sqlx_override_nullability {
        engines: [Pg],
        missing: column("users", "email"),
        sql: "SELECT id AS \"id!\", name AS \"name?\", email FROM users WHERE id = $1",
    }
    /// sqlx overrides with a type: `"state: JobState"`, `"count!: i64"`.
    pg_sqlx_override_type {
        engines: [Pg],
        missing: column("jobs", "state"),
        sql: "SELECT state AS \"state: JobState\", count(*) AS \"count!: i64\" FROM jobs GROUP BY state",
    }
    /// A wildcard type override `"kind: _"`.
    pg_sqlx_override_inferred_type {
        engines: [Pg],
        missing: column("jobs", "kind"),
        sql: "SELECT id, kind AS \"kind: _\" FROM jobs WHERE queue = $1",
    }
    /// `EXISTS (...) AS "exists!"`.
    pg_exists_with_override {
        engines: [Pg],
        missing: column("users", "email"),
        sql: "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1) AS \"exists!\"",
    }
    /// `&& $1::text[]`.
    pg_array_overlap_with_cast_parameter {
        engines: [Pg],
        missing: column("users", "tags"),
        sql: "SELECT id FROM users WHERE tags && $1::text[]",
    }
    /// `= ANY($1)`.
    pg_any_parameter {
        engines: [Pg],
        missing: column("items", "name"),
        sql: "SELECT id, name FROM items WHERE id = ANY($1)",
    }
    /// `> ALL($1::int8[])`.
    pg_all_parameter {
        engines: [Pg],
        missing: column("items", "price"),
        sql: "SELECT id FROM items WHERE price > ALL($1::int8[])",
    }
    /// An array element by subscript.
    pg_array_subscript {
        engines: [Pg],
        missing: column("users", "tags"),
        sql: "SELECT tags[1] AS first_tag FROM users WHERE id = $1",
    }
    /// `cardinality()` of an array column.
    pg_array_cardinality {
        engines: [Pg],
        missing: column("users", "tags"),
        sql: "SELECT id FROM users WHERE cardinality(tags) > $1",
    }
    /// `EXTRACT(EPOCH FROM ...)` with a cast.
    pg_extract_epoch {
        engines: [Pg],
        missing: column("posts", "created_at"),
        sql: "SELECT extract(epoch FROM (now() - created_at))::bigint AS age_secs FROM posts WHERE id = $1",
    }
    /// `INTERVAL '1 day'`.
    pg_interval_literal {
        engines: [Pg],
        missing: column("sessions", "expires_at"),
        sql: "DELETE FROM sessions WHERE expires_at < now() - interval '1 day'",
    }
    /// A parameter times an interval.
    pg_interval_times_parameter {
        engines: [Pg],
        missing: column("jobs", "run_at"),
        sql: "SELECT id FROM jobs WHERE run_at <= now() + $1 * interval '1 second'",
    }
    /// A text parameter cast to an interval.
    pg_interval_from_parameter {
        engines: [Pg],
        missing: table("logins"),
        sql: "SELECT id FROM logins WHERE created_at > now() - ($1::text)::interval",
    }
    /// `AT TIME ZONE` with a literal and a parameter.
    pg_at_time_zone {
        engines: [Pg],
        missing: column("events", "created_at"),
        sql: "SELECT created_at AT TIME ZONE 'UTC' AS utc, date_trunc('day', created_at AT TIME ZONE $1) AS local_day FROM events",
    }
    /// `SELECT DISTINCT ON (...)`.
    pg_distinct_on {
        engines: [Pg],
        missing: column("logins", "ip"),
        sql: "SELECT DISTINCT ON (user_id) user_id, ip, created_at FROM logins ORDER BY user_id, created_at DESC",
    }
    /// JSONB operators `->>` and `@>`.
    pg_jsonb_operators {
        engines: [Pg],
        missing: column("events", "data"),
        sql: "SELECT id, data->>'path' AS path FROM events WHERE data @> $1::jsonb AND kind = $2",
    }
    /// `jsonb_build_object` of columns.
    pg_jsonb_build_object {
        engines: [Pg],
        missing: column("users", "email"),
        sql: "SELECT jsonb_build_object('id', u.id, 'email', u.email) AS doc FROM users u",
    }
    /// A whole-row reference: `row_to_json(o)`.
    pg_row_to_json_whole_row {
        engines: [Pg],
        missing: table("orgs"),
        sql: "SELECT row_to_json(o) AS doc FROM orgs o WHERE o.id = $1",
    }
    /// `json_agg` in a correlated subquery.
    pg_json_agg_subquery {
        engines: [Pg],
        missing: column("tags", "post_id"),
        sql: "SELECT p.id, (SELECT json_agg(t.name ORDER BY t.name) FROM tags t WHERE t.post_id = p.id) AS tag_names FROM posts p",
    }
    /// `array_agg(... ORDER BY ...)`.
    pg_array_agg_ordered {
        engines: [Pg],
        missing: column("posts", "author_id"),
        sql: "SELECT author_id, array_agg(id ORDER BY created_at) AS ids FROM posts GROUP BY author_id",
    }
    /// `string_agg`.
    pg_string_agg {
        engines: [Pg],
        missing: column("tags", "name"),
        sql: "SELECT post_id, string_agg(name, ', ') AS names FROM tags GROUP BY post_id",
    }
    /// `ILIKE` with COALESCE and a reused parameter.
    pg_ilike_reused_parameter {
        engines: [Pg],
        missing: column("users", "nick"),
        sql: "SELECT id FROM users WHERE name ILIKE $1 OR coalesce(nick, '') ILIKE $1",
    }
    /// A parameter cast to an enum.
    pg_enum_cast_parameter {
        engines: [Pg],
        missing: column("jobs", "state"),
        sql: "UPDATE jobs SET state = $1::job_state WHERE id = $2",
    }
    /// An enum literal.
    pg_enum_literal {
        engines: [Pg],
        missing: table("jobs"),
        sql: "SELECT count(*) FROM jobs WHERE state = 'new'::job_state",
    }
    /// `FOR UPDATE SKIP LOCKED`.
    pg_for_update_skip_locked {
        engines: [Pg],
        missing: column("jobs", "queue"),
        sql: "SELECT id FROM jobs WHERE queue = $1 ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED",
    }
    /// A uuid parameter.
    pg_uuid_parameter {
        engines: [Pg],
        missing: column("sessions", "user_id"),
        sql: "SELECT user_id FROM sessions WHERE id = $1::uuid AND expires_at > now()",
    }
    /// `NULLIF` guarding a division, with a subquery.
    pg_nullif_division {
        engines: [Pg],
        missing: column("order_items", "qty"),
        sql: "SELECT o.id, o.total::float8 / nullif((SELECT sum(oi.qty) FROM order_items oi WHERE oi.order_id = o.id), 0) AS per_item FROM orders o",
    }
    /// `greatest()` in an UPDATE.
    pg_greatest_in_update {
        engines: [Pg],
        missing: column("accounts", "balance"),
        sql: "UPDATE accounts SET balance = greatest(balance - $1, 0) WHERE id = $2",
    }
    /// A row comparison `(a, b) IN (SELECT ...)`.
    pg_row_in_subquery {
        engines: [Pg],
        missing: column("posts", "author_id"),
        sql: "SELECT post_id, name FROM tags WHERE (post_id, name) IN (SELECT p.id, $1::text FROM posts p WHERE p.author_id = $2)",
    }
    /// `count(*) OVER ()` for a page's total.
    pg_window_total_count {
        engines: [Pg],
        missing: column("posts", "published"),
        sql: "SELECT id, title, count(*) OVER () AS \"total!\" FROM posts WHERE published ORDER BY created_at DESC LIMIT $1 OFFSET $2",
    }
    /// `current_setting()` in a filter.
    pg_current_setting {
        engines: [Pg],
        missing: column("users", "org_id"),
        sql: "SELECT id FROM users WHERE org_id = current_setting('app.org_id', true)::bigint",
    }
    /// A recursive CTE with a path array as a cycle guard.
    pg_recursive_cte_with_path {
        engines: [Pg],
        missing: column("comments", "parent_id"),
        sql: "WITH RECURSIVE chain AS (SELECT id, parent_id, ARRAY[id] AS path FROM comments WHERE id = $1 \
              UNION ALL SELECT c.id, c.parent_id, chain.path || c.id FROM comments c JOIN chain ON c.id = chain.parent_id \
              WHERE NOT c.id = ANY(chain.path)) SELECT id, path FROM chain",
    }
    /// `date_trunc` grouped by its alias.
    pg_date_trunc_group_by_alias {
        engines: [Pg],
        missing: column("events", "created_at"),
        sql: "SELECT date_trunc('day', created_at) AS day, count(*) AS n FROM events GROUP BY day ORDER BY day",
    }
    /// `to_char` of a timestamp.
    pg_to_char {
        engines: [Pg],
        missing: column("orders", "created_at"),
        sql: "SELECT to_char(created_at, 'YYYY-MM') AS month, sum(total) AS revenue FROM orders GROUP BY 1",
    }
    /// `RETURNING` an expression with an alias.
    pg_returning_expression {
        engines: [Pg],
        missing: column("items", "stock"),
        sql: "UPDATE items SET stock = stock - $1 WHERE id = $2 RETURNING stock >= 0 AS \"in_stock!\"",
    }
    /// A `jsonb_set` update.
    pg_jsonb_set {
        engines: [Pg],
        missing: column("users", "settings"),
        sql: "UPDATE users SET settings = jsonb_set(settings, '{theme}', to_jsonb($1::text)) WHERE id = $2",
    }
    /// `array_append` to an array column.
    pg_array_append {
        engines: [Pg],
        missing: column("users", "tags"),
        sql: "UPDATE users SET tags = array_append(tags, $1) WHERE id = $2 AND NOT ($1 = ANY(tags))",
    }
    /// `RETURNING` from a multi-row INSERT ... SELECT with ORDER BY.
    pg_insert_select_returning {
        engines: [Pg],
        missing: table("job_logs"),
        sql: "INSERT INTO job_logs (job_id, line) SELECT id, 'queued' FROM jobs WHERE queue = $1 ORDER BY id RETURNING id",
    }
    /// A typed literal and `COALESCE` of timestamps.
    pg_typed_literal {
        engines: [Pg],
        missing: column("jobs", "finished_at"),
        sql: "SELECT id FROM jobs WHERE coalesce(finished_at, TIMESTAMPTZ '1970-01-01') < $1",
    }
    /// `INSERT ... ON CONFLICT` with a column list target and RETURNING.
    pg_upsert_returning_id {
        engines: [Pg],
        missing: column("tags", "post_id"),
        sql: "INSERT INTO tags (post_id, name) VALUES ($1, $2) ON CONFLICT (post_id, name) DO NOTHING RETURNING post_id",
    }
}
