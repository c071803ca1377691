//! Naming a database error code the way its engine names it: PostgreSQL and MySQL/MariaDB
//! report a five-character SQLSTATE (`42P01`), SQLite a numeric result code (`1`, or an
//! extended code such as `2067`) with a name (`SQLITE_CONSTRAINT_UNIQUE`). sqlx hands both
//! over as `DatabaseError::code()`, so gaps stores both in the same `sqlstate` fields; a
//! SQLSTATE is always five characters and a SQLite code at most four digits, which tells them
//! apart without knowing the backend.

/// True when `code` is a SQLite result code (one to four digits), not a SQLSTATE.
pub fn is_sqlite_code(code: &str) -> bool {
    (1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

/// `SQLSTATE 42P01`, or `SQLite error 1 (SQLITE_ERROR)` for a SQLite result code.
pub fn label(code: &str) -> String {
    if is_sqlite_code(code) {
        let n: u32 = code.parse().unwrap_or(0);
        format!("SQLite error {n} ({})", sqlite_name(n))
    } else {
        format!("SQLSTATE {code}")
    }
}

/// The name SQLite gives result code `code` (`sqlite3_errstr`'s constant): an extended code
/// by its own name when it is one of SQLite's, else by its primary code's.
pub fn sqlite_name(code: u32) -> String {
    let extended = match code {
        257 => Some("SQLITE_ERROR_MISSING_COLLSEQ"),
        513 => Some("SQLITE_ERROR_RETRY"),
        769 => Some("SQLITE_ERROR_SNAPSHOT"),
        261 => Some("SQLITE_BUSY_RECOVERY"),
        517 => Some("SQLITE_BUSY_SNAPSHOT"),
        773 => Some("SQLITE_BUSY_TIMEOUT"),
        262 => Some("SQLITE_LOCKED_SHAREDCACHE"),
        518 => Some("SQLITE_LOCKED_VTAB"),
        264 => Some("SQLITE_READONLY_RECOVERY"),
        520 => Some("SQLITE_READONLY_CANTLOCK"),
        776 => Some("SQLITE_READONLY_ROLLBACK"),
        1032 => Some("SQLITE_READONLY_DBMOVED"),
        1288 => Some("SQLITE_READONLY_CANTINIT"),
        1544 => Some("SQLITE_READONLY_DIRECTORY"),
        266 => Some("SQLITE_IOERR_READ"),
        522 => Some("SQLITE_IOERR_SHORT_READ"),
        778 => Some("SQLITE_IOERR_WRITE"),
        1034 => Some("SQLITE_IOERR_FSYNC"),
        3338 => Some("SQLITE_IOERR_NOMEM"),
        267 => Some("SQLITE_CORRUPT_VTAB"),
        523 => Some("SQLITE_CORRUPT_SEQUENCE"),
        779 => Some("SQLITE_CORRUPT_INDEX"),
        270 => Some("SQLITE_CANTOPEN_NOTEMPDIR"),
        526 => Some("SQLITE_CANTOPEN_ISDIR"),
        782 => Some("SQLITE_CANTOPEN_FULLPATH"),
        1038 => Some("SQLITE_CANTOPEN_CONVPATH"),
        516 => Some("SQLITE_ABORT_ROLLBACK"),
        275 => Some("SQLITE_CONSTRAINT_CHECK"),
        531 => Some("SQLITE_CONSTRAINT_COMMITHOOK"),
        787 => Some("SQLITE_CONSTRAINT_FOREIGNKEY"),
        1043 => Some("SQLITE_CONSTRAINT_FUNCTION"),
        1299 => Some("SQLITE_CONSTRAINT_NOTNULL"),
        1555 => Some("SQLITE_CONSTRAINT_PRIMARYKEY"),
        1811 => Some("SQLITE_CONSTRAINT_TRIGGER"),
        2067 => Some("SQLITE_CONSTRAINT_UNIQUE"),
        2323 => Some("SQLITE_CONSTRAINT_VTAB"),
        2579 => Some("SQLITE_CONSTRAINT_ROWID"),
        2835 => Some("SQLITE_CONSTRAINT_PINNED"),
        3091 => Some("SQLITE_CONSTRAINT_DATATYPE"),
        _ => None,
    };
    if let Some(n) = extended {
        return n.to_string();
    }
    let primary = match code & 0xff {
        0 => "SQLITE_OK",
        1 => "SQLITE_ERROR",
        2 => "SQLITE_INTERNAL",
        3 => "SQLITE_PERM",
        4 => "SQLITE_ABORT",
        5 => "SQLITE_BUSY",
        6 => "SQLITE_LOCKED",
        7 => "SQLITE_NOMEM",
        8 => "SQLITE_READONLY",
        9 => "SQLITE_INTERRUPT",
        10 => "SQLITE_IOERR",
        11 => "SQLITE_CORRUPT",
        12 => "SQLITE_NOTFOUND",
        13 => "SQLITE_FULL",
        14 => "SQLITE_CANTOPEN",
        15 => "SQLITE_PROTOCOL",
        16 => "SQLITE_EMPTY",
        17 => "SQLITE_SCHEMA",
        18 => "SQLITE_TOOBIG",
        19 => "SQLITE_CONSTRAINT",
        20 => "SQLITE_MISMATCH",
        21 => "SQLITE_MISUSE",
        22 => "SQLITE_NOLFS",
        23 => "SQLITE_AUTH",
        24 => "SQLITE_FORMAT",
        25 => "SQLITE_RANGE",
        26 => "SQLITE_NOTADB",
        27 => "SQLITE_NOTICE",
        28 => "SQLITE_WARNING",
        100 => "SQLITE_ROW",
        101 => "SQLITE_DONE",
        _ => "an unknown SQLite result code",
    };
    primary.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_and_sqlite_codes_are_named_by_their_engine() {
        assert_eq!(label("42P01"), "SQLSTATE 42P01");
        assert_eq!(label("23505"), "SQLSTATE 23505");
        assert_eq!(label("1"), "SQLite error 1 (SQLITE_ERROR)");
        assert_eq!(
            label("2067"),
            "SQLite error 2067 (SQLITE_CONSTRAINT_UNIQUE)"
        );
        assert_eq!(
            label("1299"),
            "SQLite error 1299 (SQLITE_CONSTRAINT_NOTNULL)"
        );
        // An extended code SQLite has but this table does not name: its primary code's name.
        assert_eq!(sqlite_name(4874), "SQLITE_IOERR");
        assert!(!is_sqlite_code("42703") && !is_sqlite_code("") && is_sqlite_code("5"));
    }
}
