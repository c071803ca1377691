//! MySQL / MariaDB shapes: backticks, `?` parameters, `ON DUPLICATE KEY UPDATE` with
//! `VALUES()`, `INSERT IGNORE`, `REPLACE`, `INSERT ... SET`, multi-table UPDATE and DELETE,
//! `LIMIT ?, ?`, `DATE_SUB(... INTERVAL ...)`, the JSON functions, `GROUP_CONCAT(...
//! SEPARATOR ...)`, `IF()`, `IFNULL()`, `REGEXP`, index hints and RETURNING (MariaDB).
//! Writes cannot be described inside the read-only transaction there, so for them the static
//! analysis alone must find the missing object.

use crate::harness::{column, table};

crate::corpus! {
    /// Backticks everywhere.
    mysql_backticks {
        engines: [My],
        missing: column("users", "name"),
        sql: "SELECT `id`, `email` FROM `users` WHERE `name` = ?",
    }
    /// `LIMIT offset, count`.
    mysql_limit_comma {
        engines: [My],
        missing: table("posts"),
        sql: "SELECT id, title FROM posts ORDER BY id LIMIT ?, ?",
    }
    /// `DATE_SUB(NOW(), INTERVAL 1 DAY)`.
    mysql_date_sub_interval {
        engines: [My],
        missing: column("sessions", "expires_at"),
        sql: "SELECT id FROM sessions WHERE expires_at < DATE_SUB(NOW(), INTERVAL 1 DAY)",
    }
    /// `JSON_UNQUOTE(JSON_EXTRACT(...))` with an alias.
    mysql_json_extract {
        engines: [My],
        missing: column("users", "settings"),
        sql: "SELECT JSON_UNQUOTE(JSON_EXTRACT(settings, '$.theme')) AS theme FROM users WHERE id = ?",
    }
    /// `GROUP_CONCAT(... ORDER BY ... SEPARATOR ...)`.
    mysql_group_concat_separator {
        engines: [My],
        missing: column("tags", "name"),
        sql: "SELECT post_id, GROUP_CONCAT(name ORDER BY name SEPARATOR ',') AS names FROM tags GROUP BY post_id",
    }
    /// `IF()`.
    mysql_if_function {
        engines: [My],
        missing: column("items", "stock"),
        sql: "SELECT id, IF(stock > 0, 'in', 'out') AS availability FROM items",
    }
    /// `IFNULL()`.
    mysql_ifnull {
        engines: [My],
        missing: column("users", "nick"),
        sql: "SELECT id, IFNULL(nick, name) AS shown FROM users",
    }
    /// `REGEXP`.
    mysql_regexp {
        engines: [My],
        missing: column("users", "email"),
        sql: "SELECT id FROM users WHERE email REGEXP ?",
    }
    /// A quoted, mixed-case table.
    mysql_quoted_mixed_case {
        engines: [My],
        missing: table("Settings"),
        sql: "SELECT `Key`, `Value` FROM `Settings` WHERE `Key` = ?",
    }
    /// A column name in another case (MySQL ignores case for columns).
    mysql_column_case_insensitive {
        engines: [My],
        missing: column("items", "name"),
        sql: "SELECT ID, Name FROM items WHERE SKU = ?",
    }
    /// `FOR UPDATE SKIP LOCKED` on an enum column.
    mysql_for_update_skip_locked {
        engines: [My],
        missing: column("jobs", "run_at"),
        sql: "SELECT id FROM jobs WHERE state = 'new' ORDER BY run_at LIMIT 10 FOR UPDATE SKIP LOCKED",
    }
    /// `ON DUPLICATE KEY UPDATE n = n + VALUES(n)`.
    mysql_on_duplicate_key_values {
        engines: [My],
        missing: column("counters", "n"),
        sql: "INSERT INTO counters (`key`, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + VALUES(n)",
    }
    /// `INSERT IGNORE`.
    mysql_insert_ignore {
        engines: [My],
        missing: table("tags"),
        sql: "INSERT IGNORE INTO tags (post_id, name) VALUES (?, ?)",
    }
    /// `REPLACE INTO`.
    mysql_replace_into {
        engines: [My],
        missing: column("kv", "value"),
        sql: "REPLACE INTO kv (`key`, value) VALUES (?, ?)",
    }
    /// `INSERT ... SET`.
    mysql_insert_set {
        engines: [My],
        missing: column("kv", "value"),
        sql: "INSERT INTO kv SET `key` = ?, value = ?",
    }
    /// A multi-table UPDATE with a join.
    mysql_multi_table_update {
        engines: [My],
        missing: column("accounts", "balance"),
        sql: "UPDATE accounts a JOIN transfers t ON t.account_id = a.id SET a.balance = a.balance + t.amount WHERE t.id = ?",
    }
    /// A multi-table DELETE with a join.
    mysql_multi_table_delete {
        engines: [My],
        missing: table("users"),
        sql: "DELETE s FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.banned = TRUE",
    }
    /// `INSERT ... RETURNING` (MariaDB 10.5+).
    mysql_insert_returning {
        engines: [My],
        missing: column("orgs", "slug"),
        sql: "INSERT INTO orgs (name, slug) VALUES (?, ?) RETURNING id",
    }
    /// `DELETE ... RETURNING` (MariaDB).
    mysql_delete_returning {
        engines: [My],
        missing: column("sessions", "user_id"),
        sql: "DELETE FROM sessions WHERE user_id = ? RETURNING id",
    }
    /// An UPDATE with ORDER BY and LIMIT.
    mysql_update_order_limit {
        engines: [My],
        missing: column("jobs", "state"),
        sql: "UPDATE jobs SET state = 'running' WHERE state = 'new' ORDER BY run_at LIMIT 1",
    }
    /// `CURDATE()` and `DATE()`.
    mysql_curdate {
        engines: [My],
        missing: column("logins", "created_at"),
        sql: "SELECT count(*) FROM logins WHERE DATE(created_at) = CURDATE()",
    }
    /// `UNIX_TIMESTAMP()` with an alias.
    mysql_unix_timestamp {
        engines: [My],
        missing: column("events", "created_at"),
        sql: "SELECT id, UNIX_TIMESTAMP(created_at) AS ts FROM events WHERE user_id = ?",
    }
    /// `JSON_CONTAINS` on a JSON column.
    mysql_json_contains {
        engines: [My],
        missing: column("users", "tags"),
        sql: "SELECT id FROM users WHERE JSON_CONTAINS(tags, ?)",
    }
    /// An index hint.
    mysql_index_hint {
        engines: [My],
        missing: column("items", "sku"),
        sql: "SELECT id, name FROM items USE INDEX (sku) WHERE sku = ?",
    }
    /// A DELETE with LIMIT.
    mysql_delete_limit {
        engines: [My],
        missing: column("job_logs", "job_id"),
        sql: "DELETE FROM job_logs WHERE job_id = ? LIMIT 1000",
    }
    /// A string `"..."` literal (not an identifier in MySQL).
    mysql_double_quoted_string {
        engines: [My],
        missing: column("items", "kind"),
        sql: "SELECT id FROM items WHERE kind = \"plain\"",
    }
}
