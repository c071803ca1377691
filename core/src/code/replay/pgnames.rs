//! The names Postgres gives unnamed indexes and constraints, so the replay names them as a
//! database that ran the same migrations does: `makeObjectName` (63-byte identifiers, the
//! longer part shortened first so the label survives), `ChooseIndexNameAddition` (column
//! names joined by `_`), `FigureIndexColname` (a function's name for an expression column,
//! else `expr`) and the numbered label (`idx1`, `key1`) when a name is taken.

use sqlparser::ast::{Expr, ObjectNamePart};

use super::super::sql::ident_name;

/// Longest identifier Postgres keeps (NAMEDATALEN - 1), in bytes.
const MAX_IDENT: usize = 63;

/// The longest prefix of `s` of at most `n` bytes that ends on a character boundary.
fn clip(s: &str, n: usize) -> &str {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// `name1[_name2]_label`, shortened like Postgres' `makeObjectName`: the longer of the two
/// names loses characters first until the whole fits in 63 bytes.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = MAX_IDENT.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// Column names joined by `_`, stopping once 63 bytes are reached (`ChooseIndexNameAddition`).
pub fn name_addition(columns: &[String]) -> String {
    let mut out = String::new();
    for c in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(clip(c, MAX_IDENT));
        if out.len() > MAX_IDENT {
            break;
        }
    }
    out
}

/// The first name `make_object_name(name1, name2, label)`, `...label1`, `...label2`, ... for
/// which `taken` is false.
pub fn choose(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let mut pass = 0u32;
    loop {
        let modlabel = if pass == 0 {
            label.to_string()
        } else {
            format!("{label}{pass}")
        };
        let name = make_object_name(name1, name2, &modlabel);
        if !taken(&name) {
            return name;
        }
        pass += 1;
    }
}

/// The name an index key contributes to the index's name: the column for a column, the
/// function's name for a call, the inner column (else the type) for a cast, else `expr`.
pub fn index_column_name(e: &Expr) -> String {
    fn figure(e: &Expr) -> Option<String> {
        match e {
            Expr::Identifier(id) => Some(ident_name(id)),
            Expr::CompoundIdentifier(ids) => ids.last().map(ident_name),
            Expr::Nested(inner) => figure(inner),
            Expr::Function(f) => f.name.0.last().map(|p| match p {
                ObjectNamePart::Identifier(id) => ident_name(id),
                ObjectNamePart::Function(f) => ident_name(&f.name),
            }),
            Expr::Cast {
                expr, data_type, ..
            } => figure(expr).or_else(|| {
                data_type
                    .to_string()
                    .split(['(', ' '])
                    .next()
                    .map(str::to_lowercase)
            }),
            Expr::Case { .. } => Some("case".into()),
            _ => None,
        }
    }
    figure(e).unwrap_or_else(|| "expr".into())
}

/// Splits `text` into identifier-like words and the rest, skipping quoted literals: the
/// pieces in order, each marked true when it is a word.
fn pieces(text: &str) -> Vec<(bool, String)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut quote = false;
    for c in text.chars() {
        let word = !quote && is_word(c);
        if c == '\'' {
            quote = !quote;
        }
        match out.last_mut() {
            Some((w, s)) if *w == word => s.push(c),
            _ => out.push((word, c.to_string())),
        }
    }
    out
}

/// The distinct identifier-like words of an expression (lowercased), outside quoted literals.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (w, s) in pieces(text) {
        let s = s.to_lowercase();
        if w && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// `text` with every whole-word occurrence of the identifier `old` replaced by `new` (for
/// index expressions and CHECK expressions after a column is renamed). Quoted literals are
/// left alone.
pub fn rename_word(text: &str, old: &str, new: &str) -> String {
    pieces(text)
        .into_iter()
        .map(|(w, s)| {
            if w && s.eq_ignore_ascii_case(old) {
                new.to_string()
            } else {
                s
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn expr(s: &str) -> Expr {
        Parser::new(&PostgreSqlDialect {})
            .try_with_sql(s)
            .unwrap()
            .parse_expr()
            .unwrap()
    }

    #[test]
    fn short_names_are_joined_as_written() {
        assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
        assert_eq!(
            make_object_name("users", Some("email"), "key"),
            "users_email_key"
        );
    }

    #[test]
    fn long_names_lose_the_longer_part_first_and_keep_the_label() {
        // What Postgres 15 names them (checked against a real server in the scratch parity
        // test of the collector).
        let t = "a_table_with_a_really_quite_long_name_for_testing_identifiers";
        assert_eq!(
            make_object_name(t, None, "pkey"),
            "a_table_with_a_really_quite_long_name_for_testing_identifi_pkey"
        );
        assert_eq!(
            make_object_name(t, Some("other_long_column_name_that_is_also_unique"), "key"),
            "a_table_with_a_really_quite_l_other_long_column_name_that_i_key"
        );
        assert_eq!(make_object_name(t, None, "pkey").len(), 63);
        // Never cut inside a character.
        let n = make_object_name(&"é".repeat(40), None, "pkey");
        assert!(n.len() <= 63 && n.ends_with("_pkey"), "{n}");
    }

    #[test]
    fn a_taken_name_gets_a_numbered_label() {
        let taken = ["t_a_idx".to_string(), "t_a_idx1".to_string()];
        let n = choose("t", Some("a"), "idx", |n| taken.iter().any(|t| t == n));
        assert_eq!(n, "t_a_idx2");
    }

    #[test]
    fn expression_keys_are_named_by_their_function_or_expr() {
        assert_eq!(index_column_name(&expr("lower(email)")), "lower");
        assert_eq!(index_column_name(&expr("(data ->> 'kind')")), "expr");
        assert_eq!(index_column_name(&expr("created_at::date")), "created_at");
        assert_eq!(index_column_name(&expr("a + b")), "expr");
        assert_eq!(index_column_name(&expr("\"Email\"")), "Email");
    }

    #[test]
    fn words_are_the_identifiers_outside_literals() {
        assert_eq!(
            words("price > 0 AND price < Max_Price OR 'price' = x"),
            ["price", "0", "and", "max_price", "or", "x"]
        );
    }

    #[test]
    fn renaming_a_word_leaves_other_words_and_literals_alone() {
        assert_eq!(
            rename_word("lower(email) || email_address || 'email'", "email", "mail"),
            "lower(mail) || email_address || 'email'"
        );
    }
}
