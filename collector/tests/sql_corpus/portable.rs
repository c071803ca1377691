//! Shapes every engine reads: plain reads and writes, joins, subqueries, set operations,
//! CTEs (plain, chained, nested, recursive), window functions, CASE / COALESCE with aliases,
//! GROUP BY alias or ordinal.

use crate::harness::{column, table, view};

crate::corpus! {
    /// `SELECT *` by primary key.
    select_star_by_id {
        engines: [Pg, Lite, My],
        missing: table("users"),
        sql: "SELECT * FROM users WHERE id = $1",
    }
    /// A column list filtered by a unique column.
    select_columns_where {
        engines: [Pg, Lite, My],
        missing: column("users", "email"),
        sql: "SELECT id, email, name FROM users WHERE email = $1",
    }
    /// A table alias qualifying every column.
    select_with_table_alias {
        engines: [Pg, Lite, My],
        missing: column("users", "org_id"),
        sql: "SELECT u.id, u.name FROM users u WHERE u.org_id = $1",
    }
    /// `AS` aliases on the table and the columns.
    select_with_column_aliases {
        engines: [Pg, Lite, My],
        missing: column("users", "name"),
        sql: "SELECT u.id AS user_id, u.name AS display_name FROM users AS u WHERE u.id = $1",
    }
    /// A count over a boolean filter.
    select_count_where_boolean {
        engines: [Pg, Lite, My],
        missing: column("posts", "published"),
        sql: "SELECT count(*) FROM posts WHERE published",
    }
    /// `SELECT EXISTS (...)`.
    select_exists {
        engines: [Pg, Lite, My],
        missing: column("sessions", "token"),
        sql: "SELECT EXISTS (SELECT 1 FROM sessions WHERE token = $1)",
    }
    /// `IN` with a list of parameters.
    select_in_parameter_list {
        engines: [Pg, Lite, My],
        missing: column("items", "sku"),
        sql: "SELECT id, name FROM items WHERE sku IN ($1, $2, $3)",
    }
    /// `BETWEEN` two parameters.
    select_between {
        engines: [Pg, Lite, My],
        missing: column("orders", "created_at"),
        sql: "SELECT id, total FROM orders WHERE created_at BETWEEN $1 AND $2",
    }
    /// `LIKE`, ORDER BY and LIMIT.
    select_like_order_limit {
        engines: [Pg, Lite, My],
        missing: column("posts", "title"),
        sql: "SELECT id, title FROM posts WHERE title LIKE $1 ORDER BY created_at DESC LIMIT 20",
    }
    /// Paging with LIMIT and OFFSET parameters.
    select_limit_offset {
        engines: [Pg, Lite, My],
        missing: column("items", "name"),
        sql: "SELECT id, name FROM items ORDER BY name LIMIT $1 OFFSET $2",
    }
    /// `IS NULL` on a soft-delete column.
    select_is_null {
        engines: [Pg, Lite, My],
        missing: column("users", "deleted_at"),
        sql: "SELECT id, email FROM users WHERE deleted_at IS NULL",
    }
    /// `SELECT DISTINCT`.
    select_distinct {
        engines: [Pg, Lite, My],
        missing: column("items", "kind"),
        sql: "SELECT DISTINCT kind FROM items ORDER BY kind",
    }
    /// `count(DISTINCT col)`.
    select_count_distinct {
        engines: [Pg, Lite, My],
        missing: column("logins", "user_id"),
        sql: "SELECT count(DISTINCT user_id) AS users FROM logins",
    }
    /// GROUP BY with HAVING on an aggregate.
    group_by_having {
        engines: [Pg, Lite, My],
        missing: column("orders", "user_id"),
        sql: "SELECT user_id, count(*) AS n FROM orders GROUP BY user_id HAVING count(*) > $1",
    }
    /// GROUP BY an output alias.
    group_by_alias {
        engines: [Pg, Lite, My],
        missing: column("orders", "status"),
        sql: "SELECT status AS s, count(*) AS n FROM orders GROUP BY s",
    }
    /// GROUP BY and ORDER BY ordinals.
    group_by_ordinal {
        engines: [Pg, Lite, My],
        missing: column("items", "stock"),
        sql: "SELECT kind, sum(stock) AS units FROM items GROUP BY 1 ORDER BY 2 DESC",
    }
    /// ORDER BY an expression's alias.
    order_by_alias {
        engines: [Pg, Lite, My],
        missing: column("items", "price"),
        sql: "SELECT name, price * stock AS worth FROM items ORDER BY worth DESC",
    }
    /// An inner join through a foreign key.
    inner_join {
        engines: [Pg, Lite, My],
        missing: column("posts", "author_id"),
        sql: "SELECT p.id, p.title, u.name FROM posts p JOIN users u ON u.id = p.author_id WHERE u.id = $1",
    }
    /// An anti-join: LEFT JOIN ... IS NULL.
    left_join_is_null {
        engines: [Pg, Lite, My],
        missing: table("sessions"),
        sql: "SELECT u.id FROM users u LEFT JOIN sessions s ON s.user_id = u.id WHERE s.id IS NULL",
    }
    /// Three tables joined.
    three_way_join {
        engines: [Pg, Lite, My],
        missing: table("order_items"),
        sql: "SELECT o.id, i.name, oi.qty FROM orders o JOIN order_items oi ON oi.order_id = o.id \
              JOIN items i ON i.id = oi.item_id WHERE o.user_id = $1",
    }
    /// A table joined to itself.
    self_join {
        engines: [Pg, Lite, My],
        missing: column("comments", "parent_id"),
        sql: "SELECT c.id, p.body AS parent_body FROM comments c JOIN comments p ON p.id = c.parent_id",
    }
    /// `JOIN ... USING (col)` with a derived table.
    join_using {
        engines: [Pg, Lite, My],
        missing: column("orders", "total"),
        sql: "SELECT order_id, qty, total FROM order_items \
              JOIN (SELECT id AS order_id, total FROM orders) o USING (order_id)",
    }
    /// A cross join filtered in WHERE.
    cross_join {
        engines: [Pg, Lite, My],
        missing: column("orgs", "slug"),
        sql: "SELECT u.id, o.id FROM users u CROSS JOIN orgs o WHERE o.slug = $1",
    }
    /// Comma-separated FROM with the join in WHERE.
    comma_join {
        engines: [Pg, Lite, My],
        missing: column("accounts", "user_id"),
        sql: "SELECT a.id, u.email FROM accounts a, users u WHERE a.user_id = u.id AND u.id = $1",
    }
    /// `IN (SELECT ...)`.
    subquery_in {
        engines: [Pg, Lite, My],
        missing: column("users", "banned"),
        sql: "SELECT id, title FROM posts WHERE author_id IN (SELECT id FROM users WHERE banned = FALSE)",
    }
    /// `NOT EXISTS` with a correlated subquery.
    subquery_not_exists {
        engines: [Pg, Lite, My],
        missing: table("orders"),
        sql: "SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)",
    }
    /// A correlated scalar subquery in the SELECT list.
    correlated_scalar_subquery {
        engines: [Pg, Lite, My],
        missing: table("posts"),
        sql: "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.author_id = u.id) AS posts FROM users u",
    }
    /// A derived table filtered by its aggregate.
    derived_table {
        engines: [Pg, Lite, My],
        missing: column("logins", "user_id"),
        sql: "SELECT t.user_id, t.n FROM (SELECT user_id, count(*) AS n FROM logins GROUP BY user_id) t WHERE t.n > $1",
    }
    /// `UNION ALL` ordered by ordinal.
    union_all {
        engines: [Pg, Lite, My],
        missing: column("comments", "created_at"),
        sql: "SELECT id, created_at FROM posts UNION ALL SELECT id, created_at FROM comments ORDER BY 2 DESC",
    }
    /// `UNION` (distinct).
    union_distinct {
        engines: [Pg, Lite, My],
        missing: table("logins"),
        sql: "SELECT user_id FROM orders UNION SELECT user_id FROM logins",
    }
    /// `NOT IN (SELECT ...)`.
    not_in_subquery {
        engines: [Pg, Lite, My],
        missing: column("tags", "post_id"),
        sql: "SELECT id FROM posts WHERE id NOT IN (SELECT post_id FROM tags)",
    }
    /// INSERT with a column list.
    insert_values {
        engines: [Pg, Lite, My],
        missing: column("kv", "value"),
        sql: "INSERT INTO kv (key, value) VALUES ($1, $2)",
        mysql: "INSERT INTO kv (`key`, value) VALUES (?, ?)",
    }
    /// A multi-row INSERT.
    insert_multi_row {
        engines: [Pg, Lite, My],
        missing: column("tags", "name"),
        sql: "INSERT INTO tags (post_id, name) VALUES ($1, $2), ($1, $3)",
        mysql: "INSERT INTO tags (post_id, name) VALUES (?, ?), (?, ?)",
    }
    /// INSERT leaving defaulted columns out.
    insert_with_defaults {
        engines: [Pg, Lite, My],
        missing: column("orgs", "slug"),
        sql: "INSERT INTO orgs (name, slug) VALUES ($1, $2)",
    }
    /// `INSERT ... SELECT`.
    insert_select {
        engines: [Pg, Lite, My],
        missing: table("job_logs"),
        sql: "INSERT INTO job_logs (job_id, line) SELECT id, kind FROM jobs WHERE state = 'failed'",
    }
    /// A one-column UPDATE.
    update_one_column {
        engines: [Pg, Lite, My],
        missing: column("users", "nick"),
        sql: "UPDATE users SET nick = $1 WHERE id = $2",
    }
    /// An UPDATE computing from the old value.
    update_from_old_value {
        engines: [Pg, Lite, My],
        missing: column("items", "stock"),
        sql: "UPDATE items SET stock = stock - $1 WHERE id = $2 AND stock >= $1",
        mysql: "UPDATE items SET stock = stock - ? WHERE id = ? AND stock >= ?",
    }
    /// An UPDATE of several columns.
    update_several_columns {
        engines: [Pg, Lite, My],
        missing: column("posts", "body"),
        sql: "UPDATE posts SET title = $1, body = $2, published = $3 WHERE id = $4",
    }
    /// An UPDATE setting a correlated subquery's value.
    update_with_subquery_value {
        engines: [Pg, Lite, My],
        missing: table("order_items"),
        sql: "UPDATE orders SET total = (SELECT coalesce(sum(qty), 0) FROM order_items \
              WHERE order_id = orders.id) WHERE id = $1",
    }
    /// A DELETE by a timestamp.
    delete_expired {
        engines: [Pg, Lite, My],
        missing: column("sessions", "expires_at"),
        sql: "DELETE FROM sessions WHERE expires_at < $1",
    }
    /// A DELETE with `IN (SELECT ...)`.
    delete_with_subquery {
        engines: [Pg, Lite, My],
        missing: table("posts"),
        sql: "DELETE FROM comments WHERE post_id IN (SELECT id FROM posts WHERE author_id = $1)",
    }
    /// A conditional aggregate with CASE.
    sum_case_when {
        engines: [Pg, Lite, My],
        missing: column("orders", "total"),
        sql: "SELECT sum(CASE WHEN status = 'paid' THEN total ELSE 0 END) AS paid FROM orders",
    }
    /// COALESCE with an alias.
    coalesce_with_alias {
        engines: [Pg, Lite, My],
        missing: column("users", "nick"),
        sql: "SELECT id, coalesce(nick, name) AS shown FROM users",
    }
    /// A CASE expression with an alias.
    case_with_alias {
        engines: [Pg, Lite, My],
        missing: column("users", "admin"),
        sql: "SELECT id, CASE WHEN admin THEN 'admin' WHEN banned THEN 'banned' ELSE 'user' END AS role FROM users",
    }
    /// A CASE in ORDER BY.
    case_in_order_by {
        engines: [Pg, Lite, My],
        missing: column("orders", "status"),
        sql: "SELECT id, status FROM orders ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, created_at DESC",
    }
    /// A plain CTE joined to a table.
    cte_plain {
        engines: [Pg, Lite, My],
        missing: column("posts", "created_at"),
        sql: "WITH recent AS (SELECT id, author_id FROM posts WHERE created_at > $1) \
              SELECT r.id, u.name FROM recent r JOIN users u ON u.id = r.author_id",
    }
    /// A CTE read by a later CTE.
    cte_chained {
        engines: [Pg, Lite, My],
        missing: column("orders", "total"),
        sql: "WITH a AS (SELECT user_id, total FROM orders), \
              b AS (SELECT user_id, sum(total) AS spent FROM a GROUP BY user_id) \
              SELECT user_id, spent FROM b WHERE spent > $1",
    }
    /// A recursive CTE walking a tree down.
    cte_recursive_tree {
        engines: [Pg, Lite, My],
        missing: column("nodes", "parent_id"),
        sql: "WITH RECURSIVE tree AS (SELECT id, parent_id, name FROM nodes WHERE id = $1 \
              UNION ALL SELECT n.id, n.parent_id, n.name FROM nodes n JOIN tree t ON n.parent_id = t.id) \
              SELECT id, name FROM tree",
    }
    /// A recursive CTE with a column list, walking up.
    cte_recursive_with_column_list {
        engines: [Pg, Lite, My],
        missing: table("nodes"),
        sql: "WITH RECURSIVE ancestors(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM nodes WHERE id = $1 \
              UNION ALL SELECT n.id, n.parent_id, a.depth + 1 FROM nodes n JOIN ancestors a ON n.id = a.parent_id) \
              SELECT id, depth FROM ancestors",
    }
    /// A CTE inside a derived table.
    cte_nested_in_derived_table {
        engines: [Pg, Lite, My],
        missing: column("logins", "ip"),
        sql: "SELECT x.user_id FROM (WITH t AS (SELECT user_id FROM logins WHERE ip = $1) SELECT user_id FROM t) x",
    }
    /// One CTE read by two scalar subqueries.
    cte_read_twice {
        engines: [Pg, Lite, My],
        missing: column("orders", "total"),
        sql: "WITH big AS (SELECT id, user_id FROM orders WHERE total > $1) \
              SELECT (SELECT count(*) FROM big) AS n, (SELECT count(DISTINCT user_id) FROM big) AS buyers",
    }
    /// `row_number()` over a partition.
    window_row_number {
        engines: [Pg, Lite, My],
        missing: column("logins", "created_at"),
        sql: "SELECT id, user_id, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC) AS rn FROM logins",
    }
    /// A named window (`WINDOW w AS (...)`).
    window_named {
        engines: [Pg, Lite, My],
        missing: column("transfers", "account_id"),
        sql: "SELECT id, sum(amount) OVER w AS running FROM transfers \
              WINDOW w AS (PARTITION BY account_id ORDER BY created_at)",
    }
    /// `lag()` in an expression.
    window_lag {
        engines: [Pg, Lite, My],
        missing: column("transfers", "amount"),
        sql: "SELECT id, amount - lag(amount) OVER (ORDER BY created_at) AS delta FROM transfers",
    }
    /// A moving average over a frame.
    window_frame {
        engines: [Pg, Lite, My],
        missing: column("transfers", "created_at"),
        sql: "SELECT id, avg(amount) OVER (PARTITION BY account_id ORDER BY created_at \
              ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS avg7 FROM transfers",
    }
    /// `rank()` in a CTE, filtered outside.
    window_rank_in_cte {
        engines: [Pg, Lite, My],
        missing: column("posts", "author_id"),
        sql: "WITH ranked AS (SELECT id, author_id, rank() OVER (PARTITION BY author_id ORDER BY created_at DESC) AS r \
              FROM posts) SELECT id FROM ranked WHERE r = 1",
    }
    /// A view read like a table.
    select_from_view {
        engines: [Pg, Lite, My],
        missing: view("active_users"),
        sql: "SELECT id, email FROM active_users WHERE name = $1",
    }
    /// An aggregate with COALESCE over no rows.
    coalesce_max {
        engines: [Pg, Lite, My],
        missing: column("counters", "key"),
        sql: "SELECT coalesce(max(n), 0) AS n FROM counters WHERE key = $1",
        mysql: "SELECT coalesce(max(n), 0) AS n FROM counters WHERE `key` = ?",
    }
    /// A LEFT JOIN with an aggregate per row.
    left_join_group_count {
        engines: [Pg, Lite, My],
        missing: column("comments", "post_id"),
        sql: "SELECT p.id, count(c.id) AS comments FROM posts p LEFT JOIN comments c ON c.post_id = p.id GROUP BY p.id",
    }
    /// A HAVING filter on a joined aggregate.
    join_group_having_sum {
        engines: [Pg, Lite, My],
        missing: column("order_items", "qty"),
        sql: "SELECT o.user_id, sum(oi.qty) AS units FROM orders o JOIN order_items oi ON oi.order_id = o.id \
              GROUP BY o.user_id HAVING sum(oi.qty) > $1",
    }
    /// `min`/`max` of a timestamp per group.
    group_min_max {
        engines: [Pg, Lite, My],
        missing: column("events", "kind"),
        sql: "SELECT kind, min(created_at) AS first_seen, max(created_at) AS last_seen FROM events GROUP BY kind",
    }
    /// Arithmetic on columns in a WHERE.
    where_arithmetic {
        engines: [Pg, Lite, My],
        missing: column("order_items", "item_id"),
        sql: "SELECT order_id FROM order_items WHERE qty * 2 > $1 AND item_id <> $2",
    }
    /// `NOT (...)` with OR.
    where_not_or {
        engines: [Pg, Lite, My],
        missing: column("jobs", "queue"),
        sql: "SELECT id FROM jobs WHERE NOT (queue = $1 OR kind = $2)",
    }
    /// A scalar subquery in WHERE.
    where_scalar_subquery {
        engines: [Pg, Lite, My],
        missing: column("accounts", "balance"),
        sql: "SELECT id FROM accounts WHERE balance > (SELECT avg(balance) FROM accounts)",
    }
    /// A DELETE of one row by primary key.
    delete_by_id {
        engines: [Pg, Lite, My],
        missing: table("job_logs"),
        sql: "DELETE FROM job_logs WHERE id = $1",
    }
    /// An UPDATE with IN (SELECT ...).
    update_where_in_subquery {
        engines: [Pg, Lite, My],
        missing: column("jobs", "attempts"),
        sql: "UPDATE jobs SET attempts = 0 WHERE id IN (SELECT job_id FROM job_logs WHERE line = $1)",
    }
    /// INSERT of a literal and a parameter.
    insert_literal_and_parameter {
        engines: [Pg, Lite, My],
        missing: column("events", "data"),
        sql: "INSERT INTO events (user_id, kind, data) VALUES ($1, 'login', NULL)",
    }
    /// `lower()` in a comparison.
    where_lower {
        engines: [Pg, Lite, My],
        missing: table("orgs"),
        sql: "SELECT id FROM orgs WHERE lower(name) = lower($1)",
    }
    /// A string concatenation with an alias.
    concat_alias {
        engines: [Pg, Lite],
        missing: column("users", "name"),
        sql: "SELECT id, name || ' <' || email || '>' AS label FROM users",
    }
    /// `CONCAT()` with an alias.
    concat_function_alias {
        engines: [Pg, My],
        missing: column("users", "email"),
        sql: "SELECT id, concat(name, ' <', email, '>') AS label FROM users",
    }
}
