//! SQLite shapes: `?NNN`, `:name` and `@name` parameters, `INSERT OR REPLACE` / `OR IGNORE`,
//! upserts with `excluded`, RETURNING, `UPDATE ... FROM`, `rowid`, `json_each` and the JSON
//! functions, date functions, quoted mixed-case names and `main.` qualification.

use crate::harness::{column, table};

crate::corpus! {
    /// `INSERT OR REPLACE`.
    sqlite_insert_or_replace {
        engines: [Lite],
        missing: column("kv", "value"),
        sql: "INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)",
    }
    /// `INSERT OR IGNORE`.
    sqlite_insert_or_ignore {
        engines: [Lite],
        missing: column("tags", "name"),
        sql: "INSERT OR IGNORE INTO tags (post_id, name) VALUES (?1, ?2)",
    }
    /// A numbered parameter used twice.
    sqlite_numbered_parameter_reused {
        engines: [Lite],
        missing: column("items", "price"),
        sql: "SELECT id FROM items WHERE price BETWEEN ?1 AND ?2 OR stock = ?1",
    }
    /// `:name` parameters.
    sqlite_colon_named_parameters {
        engines: [Lite],
        missing: column("users", "org_id"),
        sql: "SELECT id, name FROM users WHERE email = :email AND org_id = :org",
    }
    /// `@name` parameters in an UPDATE.
    sqlite_at_named_parameters {
        engines: [Lite],
        missing: column("kv", "value"),
        sql: "UPDATE kv SET value = @value WHERE key = @key",
    }
    /// Plain `?` parameters.
    sqlite_anonymous_parameters {
        engines: [Lite],
        missing: column("sessions", "token"),
        sql: "SELECT user_id FROM sessions WHERE token = ? AND expires_at > ?",
    }
    /// The implicit `rowid`.
    sqlite_rowid {
        engines: [Lite],
        missing: table("kv"),
        sql: "SELECT rowid, key FROM kv WHERE rowid > ?1",
    }
    /// `json_each` of a JSON column beside its table.
    sqlite_json_each {
        engines: [Lite],
        missing: column("users", "tags"),
        sql: "SELECT u.id, j.value FROM users u, json_each(u.tags) j WHERE j.value = ?1",
    }
    /// `json_extract` with an alias.
    sqlite_json_extract {
        engines: [Lite],
        missing: column("users", "settings"),
        sql: "SELECT json_extract(settings, '$.theme') AS theme FROM users WHERE id = ?1",
    }
    /// `strftime` relative dates.
    sqlite_strftime {
        engines: [Lite],
        missing: column("logins", "created_at"),
        sql: "SELECT count(*) FROM logins WHERE created_at > strftime('%Y-%m-%d', 'now', '-7 days')",
    }
    /// `datetime('now')` written in an UPDATE.
    sqlite_datetime_now {
        engines: [Lite],
        missing: column("jobs", "finished_at"),
        sql: "UPDATE jobs SET finished_at = datetime('now') WHERE id = ?1",
    }
    /// `UPDATE ... FROM` (SQLite 3.33+).
    sqlite_update_from {
        engines: [Lite],
        missing: column("transfers", "amount"),
        sql: "UPDATE accounts SET balance = balance + t.amount FROM transfers t WHERE t.account_id = accounts.id AND t.id = ?1",
    }
    /// `group_concat` with a separator.
    sqlite_group_concat {
        engines: [Lite],
        missing: column("tags", "name"),
        sql: "SELECT post_id, group_concat(name, ',') AS names FROM tags GROUP BY post_id",
    }
    /// `iif()`.
    sqlite_iif {
        engines: [Lite],
        missing: column("items", "stock"),
        sql: "SELECT id, iif(stock > 0, 'in', 'out') AS availability FROM items",
    }
    /// An upsert with `excluded` and RETURNING.
    sqlite_upsert_returning {
        engines: [Lite],
        missing: column("counters", "n"),
        sql: "INSERT INTO counters (key, n) VALUES (?1, 1) ON CONFLICT(key) DO UPDATE SET n = n + excluded.n RETURNING n",
    }
    /// `ON CONFLICT DO NOTHING`.
    sqlite_upsert_do_nothing {
        engines: [Lite],
        missing: table("tags"),
        sql: "INSERT INTO tags (post_id, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    }
    /// `DELETE ... RETURNING`.
    sqlite_delete_returning {
        engines: [Lite],
        missing: column("sessions", "expires_at"),
        sql: "DELETE FROM sessions WHERE expires_at < ?1 RETURNING id, user_id",
    }
    /// `INSERT ... RETURNING`.
    sqlite_insert_returning {
        engines: [Lite],
        missing: column("orgs", "slug"),
        sql: "INSERT INTO orgs (name, slug) VALUES (?1, ?2) RETURNING id",
    }
    /// LIMIT and OFFSET with numbered parameters.
    sqlite_limit_offset_numbered {
        engines: [Lite],
        missing: table("posts"),
        sql: "SELECT id, title FROM posts ORDER BY id LIMIT ?1 OFFSET ?2",
    }
    /// A quoted, mixed-case table.
    sqlite_quoted_mixed_case {
        engines: [Lite],
        missing: table("Settings"),
        sql: "SELECT \"Key\", \"Value\" FROM \"Settings\" WHERE \"Key\" = ?1",
    }
    /// The same table written in another case (SQLite ignores case).
    sqlite_case_insensitive_names {
        engines: [Lite],
        missing: column("Settings", "Value"),
        sql: "SELECT value FROM settings WHERE KEY = ?1",
    }
    /// `main.` qualification.
    sqlite_main_qualified {
        engines: [Lite],
        missing: table("users"),
        sql: "SELECT id FROM main.users WHERE id = ?1",
    }
    /// CAST with arithmetic and an alias.
    sqlite_cast_alias {
        engines: [Lite],
        missing: column("items", "price"),
        sql: "SELECT id, CAST(price AS REAL) / 100 AS euros FROM items",
    }
    /// An INSERT of a nullable reference.
    sqlite_insert_nullable_reference {
        engines: [Lite],
        missing: column("nodes", "name"),
        sql: "INSERT INTO nodes (parent_id, name) VALUES (?1, ?2)",
    }
    /// `printf` formatting with an alias.
    sqlite_printf {
        engines: [Lite],
        missing: column("orders", "total"),
        sql: "SELECT id, printf('%.2f', total / 100.0) AS shown FROM orders WHERE user_id = ?1",
    }
    /// `json_array_length` in a filter.
    sqlite_json_array_length {
        engines: [Lite],
        missing: column("users", "tags"),
        sql: "SELECT id FROM users WHERE json_array_length(tags) > ?1",
    }
    /// `FILTER (WHERE ...)` (SQLite 3.30+).
    sqlite_aggregate_filter {
        engines: [Lite],
        missing: column("jobs", "state"),
        sql: "SELECT count(*) FILTER (WHERE state = 'done') AS done FROM jobs",
    }
    /// An INSERT with `DEFAULT VALUES`-like omitted columns and a subquery value.
    sqlite_insert_select_max {
        engines: [Lite],
        missing: column("job_logs", "line"),
        sql: "INSERT INTO job_logs (job_id, line) SELECT max(id), ?1 FROM jobs",
    }
}
