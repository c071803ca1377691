//! SQL statements (lock holders' queries from `pg_stat_activity`, migration statements, the SQL
//! found in the code, column defaults): only string literals and comments are searched as
//! text, and a literal after `PASSWORD`, `IDENTIFIED BY` or a comparison with a secret-named
//! column is removed whole. Identifiers, placeholders and the statement's shape stay, so a
//! redacted statement still parses to the same tables and columns.

use super::keys::is_secret_key;
use super::text::{secret_ranges, splice};

/// One lexical piece of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A keyword or bare identifier.
    Word,
    /// `"ident"` or `` `ident` ``; `content` is inside the quotes.
    QuotedIdent,
    /// `'text'`, `E'text'` (to the end when unterminated); `content` is inside the quotes.
    Literal,
    /// `-- ...` or `/* ... */`; `content` is the comment's text.
    Comment,
    /// Any other character (operators, punctuation, `$1`, `$tag$`).
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    /// The part searched as text / removed (inside quotes, after `--`).
    content: (usize, usize),
}

/// Returns `sql` with secrets in its literals and comments replaced by `REDACTED`; see the
/// module documentation.
pub fn redact_sql(sql: &str) -> String {
    let tokens = lex(sql);
    let mut ranges = Vec::new();
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Kind::Comment).collect();
    for t in &tokens {
        if matches!(t.kind, Kind::Literal | Kind::Comment) {
            let (s, e) = t.content;
            ranges.extend(
                secret_ranges(&sql[s..e], true)
                    .into_iter()
                    .map(|(a, b)| (a + s, b + s)),
            );
        }
    }
    for (i, t) in significant.iter().enumerate() {
        if !matches!(t.kind, Kind::Literal | Kind::QuotedIdent) {
            continue;
        }
        if sets_password(sql, &significant[..i])
            || (t.kind == Kind::Literal && compares_secret(sql, &significant[..i]))
        {
            ranges.push(t.content);
        }
    }
    splice(sql, ranges)
}

fn text<'a>(sql: &'a str, t: &Token) -> &'a str {
    &sql[t.start..t.end]
}

/// `PASSWORD 'x'`, `PASSWORD = 'x'`, `PASSWORD('x')`, `IDENTIFIED BY 'x'` just before.
fn sets_password(sql: &str, before: &[&Token]) -> bool {
    let mut i = before.len();
    for skip in ["(", "="] {
        if i > 0 && before[i - 1].kind == Kind::Other && text(sql, before[i - 1]) == skip {
            i -= 1;
        }
    }
    let word = |j: usize, w: &str| {
        before
            .get(j)
            .is_some_and(|t| t.kind == Kind::Word && text(sql, t).eq_ignore_ascii_case(w))
    };
    i > 0 && (word(i - 1, "password") || (i > 1 && word(i - 1, "by") && word(i - 2, "identified")))
}

/// `secret_column = 'x'` (also `<>`, `!=`, `:=`) just before.
fn compares_secret(sql: &str, before: &[&Token]) -> bool {
    let n = before.len();
    let mut i = n;
    // Operators are lexed one character at a time.
    let mut op = String::new();
    while i > 0 && before[i - 1].kind == Kind::Other && op.len() < 2 {
        let t = text(sql, before[i - 1]);
        if !matches!(t, "=" | "<" | ">" | "!" | ":") {
            break;
        }
        op.insert_str(0, t);
        i -= 1;
    }
    if !matches!(op.as_str(), "=" | "<>" | "!=" | ":=") || i == 0 {
        return false;
    }
    let ident = before[i - 1];
    let name = match ident.kind {
        Kind::Word => text(sql, ident),
        Kind::QuotedIdent => &sql[ident.content.0..ident.content.1],
        _ => return false,
    };
    is_secret_key(name)
}

/// Splits `sql` into tokens in one pass. Dollar-quoted bodies are lexed as SQL (a function or
/// `DO` body is code), so a `PASSWORD '...'` inside one is still seen.
fn lex(sql: &str) -> Vec<Token> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = |kind, end, content| Token {
            kind,
            start,
            end,
            content,
        };
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            out.push(tok(Kind::Comment, end, (i + 2, end)));
            i = end;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let end = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |n| i + 2 + n);
            out.push(tok(Kind::Comment, (end + 2).min(b.len()), (i + 2, end)));
            i = (end + 2).min(b.len());
            continue;
        }
        let escape_string = matches!(c, b'e' | b'E') && b.get(i + 1) == Some(&b'\'');
        if c == b'\'' || escape_string {
            let open = if escape_string { i + 1 } else { i };
            let (content_end, end) = quoted(b, open, b'\'', escape_string);
            out.push(tok(Kind::Literal, end, (open + 1, content_end)));
            i = end;
            continue;
        }
        if c == b'"' || c == b'`' {
            let (content_end, end) = quoted(b, i, c, false);
            out.push(tok(Kind::QuotedIdent, end, (i + 1, content_end)));
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut end = i + 1;
            while end < b.len()
                && (b[end].is_ascii_alphanumeric()
                    || matches!(b[end], b'_' | b'$')
                    || b[end] >= 0x80)
            {
                end += 1;
            }
            out.push(tok(Kind::Word, end, (i, end)));
            i = end;
            continue;
        }
        // Anything else is one character (multi-byte characters were taken as words).
        out.push(tok(Kind::Other, i + 1, (i, i + 1)));
        i += 1;
    }
    out
}

/// From the opening quote at `open`: (end of the content, end of the token). A doubled quote
/// escapes it; in an `E'...'` string a backslash does too. Unterminated: to the end.
fn quoted(b: &[u8], open: usize, q: u8, backslash: bool) -> (usize, usize) {
    let mut j = open + 1;
    while j < b.len() {
        if backslash && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            return (j, j + 1);
        }
        j += 1;
    }
    (b.len(), b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_literals_go_and_the_statement_keeps_its_shape() {
        for (sql, want) in [
            (
                "ALTER ROLE app PASSWORD 'xyz'",
                "ALTER ROLE app PASSWORD 'REDACTED'",
            ),
            (
                "alter role app with encrypted password 'it''s'",
                "alter role app with encrypted password 'REDACTED'",
            ),
            (
                "CREATE USER 'u'@'%' IDENTIFIED BY 'pw1'",
                "CREATE USER 'u'@'%' IDENTIFIED BY 'REDACTED'",
            ),
            (
                "SET PASSWORD FOR u = PASSWORD('pw2')",
                "SET PASSWORD FOR u = PASSWORD('REDACTED')",
            ),
            (
                "ALTER ROLE app PASSWORD 'cut sho",
                "ALTER ROLE app PASSWORD 'REDACTED",
            ),
            (
                "SELECT * FROM users WHERE api_key = 'k1' AND \"Token\" <> 'k2'",
                "SELECT * FROM users WHERE api_key = 'REDACTED' AND \"Token\" <> 'REDACTED'",
            ),
            (
                "DO $$ BEGIN ALTER ROLE app PASSWORD 'pw3'; END $$",
                "DO $$ BEGIN ALTER ROLE app PASSWORD 'REDACTED'; END $$",
            ),
            (
                "SELECT dblink_connect('host=db password=pw4 dbname=x')",
                "SELECT dblink_connect('host=db password=REDACTED dbname=x')",
            ),
            (
                "INSERT INTO t VALUES ('postgres://u:pw5@h/db') -- token: pw6",
                "INSERT INTO t VALUES ('postgres://u:REDACTED@h/db') -- token: REDACTED",
            ),
            (
                "EXECUTE 'ALTER ROLE x PASSWORD ''pw7''';",
                "EXECUTE 'ALTER ROLE x PASSWORD ''REDACTED''';",
            ),
        ] {
            assert_eq!(redact_sql(sql), want, "{sql}");
        }
    }

    #[test]
    fn ordinary_sql_is_unchanged() {
        for sql in [
            "SELECT id, password, token FROM users WHERE token = $1 AND password = ?",
            "UPDATE users SET password = crypt($1, gen_salt('bf')) WHERE id = $2",
            "CREATE UNIQUE INDEX users_token_key ON public.users USING btree (token)",
            "(password <> ''::text)",
            "nextval('users_id_seq'::regclass)",
            "SELECT data::jsonb @> '{\"a\":1}' FROM t WHERE x = 'password'",
            "SELECT 'a:b@c' AS note",
        ] {
            assert_eq!(redact_sql(sql), sql);
        }
    }
}
