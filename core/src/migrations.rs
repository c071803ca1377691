//! Migration evidence: the rows of sqlx's migrations table and the local migration files, with
//! sqlx's naming rules and checksums (SHA-384 over the file bytes, plus the LF-normalised and
//! BOM-stripped variants that tell a line-ending change apart from a real edit).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha384};

/// The default name of sqlx's bookkeeping table.
pub const DEFAULT_MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// What the database's migrations table holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedMigrations {
    /// The table that was read, e.g. `public._sqlx_migrations`.
    pub table: String,
    /// Where the table name came from: "flag" (`--migrations-table`), "sqlx_toml"
    /// (`[migrate] table-name`) or "default".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_source: Option<String>,
    /// False when the table does not exist: migrations never ran against this database.
    pub present: bool,
    /// Every row, sorted by version.
    #[serde(default)]
    pub rows: Vec<AppliedMigration>,
    /// When the table is not on the session's search_path: the tables of that name in other
    /// schemas of the database (`schema.name`). A search_path that hides the migrations table
    /// from sqlx, not a database where no migration ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_in: Vec<String>,
    /// The search_path the name was resolved through, when it was not found on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_path: Option<String>,
}

/// Where one migration version stands in the database's migrations table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationStatus {
    /// A row with `success = true`.
    Applied,
    /// No row (or no migrations table at all): `sqlx migrate run` would apply it.
    Pending,
    /// A row with `success = false`: it stopped part-way, sqlx refuses with `Dirty`.
    Failed,
}

impl MigrationStatus {
    /// "applied", "pending" or "failed".
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationStatus::Applied => "applied",
            MigrationStatus::Pending => "pending",
            MigrationStatus::Failed => "failed",
        }
    }
}

impl AppliedMigrations {
    /// True when the table is absent from the search_path but exists in another schema: the
    /// rows sqlx would read are unknown, so no migration's status can be told.
    pub fn is_hidden(&self) -> bool {
        !self.present && !self.hidden_in.is_empty()
    }

    /// These rows when they say which migrations ran (the table is present, or truly absent);
    /// `None` when a search_path hides the table.
    pub fn known(&self) -> Option<&AppliedMigrations> {
        (!self.is_hidden()).then_some(self)
    }

    /// The status of `version` by the rows of the table, the way sqlx's migrator sees it: a
    /// missing table means every migration is pending.
    pub fn status(&self, version: i64) -> MigrationStatus {
        if !self.present {
            return MigrationStatus::Pending;
        }
        match self.rows.iter().find(|r| r.version == version) {
            None => MigrationStatus::Pending,
            Some(r) if !r.success => MigrationStatus::Failed,
            Some(_) => MigrationStatus::Applied,
        }
    }

    /// The newest version with a successful row, for "schema_version 12, applied 14".
    pub fn latest_version(&self) -> Option<i64> {
        self.rows
            .iter()
            .filter(|r| r.success)
            .map(|r| r.version)
            .max()
    }
}

/// One row of `_sqlx_migrations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedMigration {
    /// Migration version.
    pub version: i64,
    /// Description recorded by sqlx.
    pub description: String,
    /// When it was applied (RFC 3339), if the column could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_on: Option<String>,
    /// False when the migration failed part-way (sqlx then refuses with `Dirty(version)`).
    pub success: bool,
    /// SHA-384 checksum recorded, lowercase hex.
    pub checksum: String,
    /// Execution time in nanoseconds; -1 means skipped or interrupted.
    pub execution_time: i64,
}

/// The migration files found in the service's repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocalMigrations {
    /// The directory that was read, as given or discovered.
    pub directory: String,
    /// How the directory was chosen: "flag" (`--migrations`), "migrate_macro" (from
    /// `sqlx::migrate!("...")` in the source; see `source_file` and `source_line`),
    /// "sqlx_toml" (`[migrate] migrations-dir`) or "default" (`DIR/migrations`).
    pub directory_source: String,
    /// The file that named the directory (the `sqlx::migrate!` call or `sqlx.toml`), relative
    /// to the source directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    /// 1-based line of the `sqlx::migrate!` call in `source_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_line: Option<u32>,
    /// Characters sqlx.toml's `[migrate] ignored-chars` drops before hashing; the checksums
    /// below are computed the same way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_chars: Vec<String>,
    /// Migration files sqlx would run, sorted by (version, kind).
    #[serde(default)]
    pub files: Vec<LocalMigration>,
    /// Files in the directory that sqlx silently ignores, with the reason.
    #[serde(default)]
    pub ignored: Vec<IgnoredFile>,
}

/// Whether a file is a simple migration or one half of a reversible pair.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MigrationKind {
    /// `<VERSION>_<DESC>.sql`.
    Simple,
    /// `<VERSION>_<DESC>.up.sql`.
    Up,
    /// `<VERSION>_<DESC>.down.sql`.
    Down,
}

/// One local migration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocalMigration {
    /// Version parsed from the file name.
    pub version: i64,
    /// Description as sqlx derives it (underscores become spaces).
    pub description: String,
    /// Simple, up or down.
    pub kind: MigrationKind,
    /// Path relative to the migrations directory.
    pub file: String,
    /// The file starts with `-- no-transaction`.
    #[serde(default)]
    pub no_transaction: bool,
    /// SHA-384 of the exact bytes, lowercase hex: what sqlx records.
    pub checksum: String,
    /// SHA-384 after CRLF -> LF normalisation and with a UTF-8 BOM removed.
    pub checksum_normalized: String,
    /// SHA-384 of the same SQL saved with other line endings / BOM, keyed "lf", "lf+bom",
    /// "crlf", "crlf+bom": an applied checksum equal to one of these means only the line
    /// endings or the BOM changed since it was applied.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checksum_variants: BTreeMap<String, String>,
    /// The file contains CR LF line endings.
    #[serde(default)]
    pub has_crlf: bool,
    /// The file starts with a UTF-8 byte-order mark.
    #[serde(default)]
    pub has_bom: bool,
    /// File size in bytes.
    pub size: u64,
}

/// A file in the migrations directory that sqlx would not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IgnoredFile {
    /// Path relative to the migrations directory.
    pub file: String,
    /// Why sqlx ignores it, e.g. "version 'V1' is not an integer".
    pub reason: String,
    /// The rule that excluded it.
    pub cause: IgnoreCause,
    /// sqlx does not skip this file quietly: it refuses the whole folder (`migrate!` fails to
    /// compile, `Migrator::new` returns an error), so no migration runs at all.
    #[serde(default)]
    pub fatal: bool,
}

/// Which of sqlx's rules excluded a file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreCause {
    /// A directory (or other non-file): sqlx does not descend into subdirectories.
    NotAFile,
    /// No `_` in the name, so there is no `<VERSION>_<DESCRIPTION>` split.
    NoUnderscore,
    /// The part after the first `_` does not end in `.sql` (case-sensitive).
    NotSql,
    /// The part before the first `_` does not parse as an i64 (fatal for sqlx).
    VersionNotInteger,
    /// The contents are not UTF-8 (fatal for sqlx, which reads migrations as text).
    NotUtf8,
    /// The file could not be read (fatal for sqlx).
    Unreadable,
}

impl IgnoreCause {
    /// Whether sqlx rejects the whole migrations folder because of such a file.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            IgnoreCause::VersionNotInteger | IgnoreCause::NotUtf8 | IgnoreCause::Unreadable
        )
    }
}

/// A file name that matches sqlx's `<VERSION>_<DESCRIPTION>[.up|.down].sql` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// The version (sqlx parses it with `i64::from_str`: leading zeros and `+` are accepted).
    pub version: i64,
    /// The description: the suffix removed, underscores turned into spaces.
    pub description: String,
    /// Simple, up or down.
    pub kind: MigrationKind,
}

impl MigrationKind {
    /// The file-name suffix sqlx strips: `.sql`, `.up.sql` or `.down.sql`.
    pub fn suffix(self) -> &'static str {
        match self {
            MigrationKind::Simple => ".sql",
            MigrationKind::Up => ".up.sql",
            MigrationKind::Down => ".down.sql",
        }
    }

    /// True for the kinds sqlx applies (`migrate run`): simple and up. Down files only run on
    /// `sqlx migrate revert`.
    pub fn is_applied(self) -> bool {
        !matches!(self, MigrationKind::Down)
    }
}

/// Parses a file name exactly as sqlx 0.9's `resolve_blocking` does: split at the first `_`;
/// the rest must end in `.sql`; the first part must parse as an `i64`. The error carries the
/// cause and a sentence saying why sqlx skips (or rejects) the file.
pub fn parse_file_name(name: &str) -> Result<ParsedName, (IgnoreCause, String)> {
    let Some((version_text, rest)) = name.split_once('_') else {
        return Err((
            IgnoreCause::NoUnderscore,
            format!(
                "no '_' in the name: sqlx only runs files named <VERSION>_<DESCRIPTION>.sql, and skips `{name}` without a word"
            ),
        ));
    };
    if !rest.ends_with(".sql") {
        let hint = if rest.to_ascii_lowercase().ends_with(".sql") {
            " (the extension must be lowercase `.sql`)"
        } else {
            ""
        };
        return Err((
            IgnoreCause::NotSql,
            format!("the name does not end in `.sql`{hint}: sqlx skips `{name}` without a word"),
        ));
    }
    let version: i64 = version_text.parse().map_err(|e: std::num::ParseIntError| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "does not fit in a 64-bit integer"
            }
            std::num::IntErrorKind::Empty => "is empty",
            _ => "is not an integer",
        };
        (
            IgnoreCause::VersionNotInteger,
            format!(
                "version `{version_text}` {why}: sqlx refuses the whole migrations folder (\"expected integer version prefix\"), so no migration runs"
            ),
        )
    })?;
    let kind = if rest.ends_with(MigrationKind::Up.suffix()) {
        MigrationKind::Up
    } else if rest.ends_with(MigrationKind::Down.suffix()) {
        MigrationKind::Down
    } else {
        MigrationKind::Simple
    };
    // sqlx uses `trim_end_matches`, which strips a repeated suffix too (`a.sql.sql` -> `a`).
    let description = rest.trim_end_matches(kind.suffix()).replace('_', " ");
    Ok(ParsedName {
        version,
        description,
        kind,
    })
}

/// SHA-384 exactly as sqlx computes it, lowercase hex: over the text with the sqlx.toml
/// `ignored-chars` removed (none by default, so over the exact bytes).
pub fn sqlx_checksum(text: &str, ignored_chars: &[char]) -> String {
    let mut digest = Sha384::new();
    if ignored_chars.is_empty() {
        digest.update(text.as_bytes());
    } else {
        for fragment in text.split(|c| ignored_chars.contains(&c)) {
            digest.update(fragment.as_bytes());
        }
    }
    hex::encode(digest.finalize())
}

/// The text with a leading UTF-8 BOM removed and CR LF turned into LF.
pub fn normalize(text: &str) -> String {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n")
}

/// True when the text contains at least one CR LF line ending.
pub fn has_crlf(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\r\n")
}

/// True when the bytes start with the UTF-8 byte-order mark EF BB BF.
pub fn has_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xEF, 0xBB, 0xBF])
}

/// The sqlx checksums of the same SQL saved four ways (LF or CR LF, with or without BOM).
pub fn checksum_variants(text: &str, ignored_chars: &[char]) -> BTreeMap<String, String> {
    let lf = normalize(text);
    let crlf = lf.replace('\n', "\r\n");
    let mut out = BTreeMap::new();
    for (key, body) in [
        ("lf", lf.clone()),
        ("lf+bom", format!("\u{feff}{lf}")),
        ("crlf", crlf.clone()),
        ("crlf+bom", format!("\u{feff}{crlf}")),
    ] {
        out.insert(key.to_string(), sqlx_checksum(&body, ignored_chars));
    }
    out
}

/// The evidence for an entry that is not a regular file (`what`: "a directory", "a named pipe
/// (FIFO)", "a socket"...): sqlx skips it without a word.
pub fn not_a_file(file: &str, what: &str) -> IgnoredFile {
    IgnoredFile {
        file: file.to_string(),
        reason: format!(
            "`{file}` is {what}, not a regular file: sqlx only reads regular files directly in the migrations folder"
        ),
        cause: IgnoreCause::NotAFile,
        fatal: IgnoreCause::NotAFile.is_fatal(),
    }
}

/// Builds the evidence for one directory entry the way sqlx would treat it: a migration with
/// its checksums, or an ignored file with the reason. `bytes` is `None` for a directory.
pub fn classify_entry(
    file: &str,
    bytes: Option<&[u8]>,
    ignored_chars: &[char],
) -> Result<LocalMigration, IgnoredFile> {
    let ignored = |cause: IgnoreCause, reason: String| IgnoredFile {
        file: file.to_string(),
        reason,
        cause,
        fatal: cause.is_fatal(),
    };
    let Some(bytes) = bytes else {
        return Err(not_a_file(file, "a directory"));
    };
    let name = file.rsplit('/').next().unwrap_or(file);
    let parsed = parse_file_name(name).map_err(|(cause, reason)| ignored(cause, reason))?;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ignored(
            IgnoreCause::NotUtf8,
            format!(
                "not UTF-8 text (invalid byte at offset {}): sqlx cannot read it and refuses the whole migrations folder",
                e.valid_up_to()
            ),
        )
    })?;
    Ok(LocalMigration {
        version: parsed.version,
        description: parsed.description,
        kind: parsed.kind,
        file: file.to_string(),
        // Exactly sqlx's test: a BOM in front defeats it, as it does in sqlx.
        no_transaction: text.starts_with("-- no-transaction"),
        checksum: sqlx_checksum(text, ignored_chars),
        checksum_normalized: sqlx_checksum(&normalize(text), ignored_chars),
        checksum_variants: checksum_variants(text, ignored_chars),
        has_crlf: has_crlf(bytes),
        has_bom: has_bom(bytes),
        size: bytes.len() as u64,
    })
}

impl LocalMigrations {
    /// The applied (simple or up) file of `version`, if any.
    pub fn up(&self, version: i64) -> Option<&LocalMigration> {
        self.files
            .iter()
            .find(|f| f.version == version && f.kind.is_applied())
    }

    /// The newest version sqlx would apply from these files (a `.down.sql` is never applied),
    /// for "schema_version 12 of 14".
    pub fn latest_version(&self) -> Option<i64> {
        self.files
            .iter()
            .filter(|f| f.kind.is_applied())
            .map(|f| f.version)
            .max()
    }

    /// Whether any file (including a `.down.sql`) has `version`: sqlx's test for
    /// `VersionMissing`.
    pub fn has_version(&self, version: i64) -> bool {
        self.files.iter().any(|f| f.version == version)
    }
}

/// One `sqlx::migrate!` call found in Rust source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateMacroCall {
    /// 1-based line of the call.
    pub line: u32,
    /// The path literal, or `None` for `migrate!()` (sqlx then uses sqlx.toml's
    /// `migrations-dir` or `./migrations`, relative to the crate root).
    pub path: Option<String>,
}

/// Finds `sqlx::migrate!(...)` calls in Rust source text (also `migrate!` after a
/// `use sqlx::migrate`). Line comments are skipped; the argument must be a plain or raw string
/// literal, as the macro itself requires.
pub fn find_migrate_macros(text: &str) -> Vec<MigrateMacroCall> {
    let imported =
        text.contains("sqlx::migrate;") || text.contains("sqlx::{") && text.contains("migrate");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("migrate!") {
        let at = from + i;
        from = at + "migrate!".len();
        let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
        let line_text = &text[line_start..at];
        if line_text.contains("//") {
            continue;
        }
        let qualified = text[..at].ends_with("sqlx::");
        let bare = !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':');
        if !(qualified || bare && imported) {
            continue;
        }
        let rest = text[from..].trim_start();
        let Some(rest) = rest.strip_prefix(['(', '[', '{']) else {
            continue;
        };
        let rest = rest.trim_start();
        let path = if rest.starts_with([')', ']', '}']) {
            None
        } else if let Some(lit) = string_literal(rest) {
            Some(lit)
        } else {
            continue;
        };
        let line = text[..at].matches('\n').count() as u32 + 1;
        out.push(MigrateMacroCall { line, path });
    }
    out
}

/// The value of a leading `"..."` or `r#"..."#` literal.
fn string_literal(s: &str) -> Option<String> {
    if let Some(raw) = s.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let close = format!("\"{}", "#".repeat(hashes));
        return body.find(&close).map(|end| body[..end].to_string());
    }
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Splits a possibly schema-qualified, possibly quoted table name (`_sqlx_migrations`,
/// `app._migrations`, `"My Schema"."t"`) into its unquoted parts. `None` for a malformed name.
pub fn split_table_name(name: &str) -> Option<Vec<String>> {
    split_quoted_name(name, '"')
}

/// [`split_table_name`] with another identifier quote: `` ` `` for MySQL (`` app.`my.t` ``).
/// A doubled quote inside a quoted part stands for one.
pub fn split_quoted_name(name: &str, quote: char) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = name.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&quote) {
            chars.next();
            loop {
                match chars.next()? {
                    c if c == quote && chars.peek() == Some(&quote) => {
                        chars.next();
                        part.push(quote);
                    }
                    c if c == quote => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.push(c);
                chars.next();
            }
        }
        if part.is_empty() {
            return None;
        }
        parts.push(part);
        match chars.next() {
            None => return Some(parts),
            Some('.') => continue,
            Some(_) => return None,
        }
    }
}

/// An SQLite `CURRENT_TIMESTAMP` value (`YYYY-MM-DD HH:MM:SS`, UTC) as RFC 3339; other text is
/// returned unchanged so no evidence is lost.
pub fn sqlite_timestamp_to_rfc3339(text: &str) -> String {
    let b = text.as_bytes();
    let shape_ok = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && b[16] == b':'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    let tail = text.get(19..).unwrap_or("");
    let fraction_ok = tail.is_empty()
        || (tail.starts_with('.')
            && tail.len() > 1
            && tail[1..].bytes().all(|c| c.is_ascii_digit()));
    if shape_ok && fraction_ok {
        format!("{}T{}{}Z", &text[..10], &text[11..19], tail)
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests;
