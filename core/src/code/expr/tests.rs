//! Tests of the expression normalisation: the server's spelling of an expression and the
//! migration's compare equal; a real change is called different; a change the server may have
//! re-printed is unsure.

use super::*;

fn ctx<'a>(columns: &'a [String], enums: &'a [String], ty: Option<&'a str>) -> ExprContext<'a> {
    ExprContext {
        backend: Backend::Postgres,
        enums,
        column_type: ty,
        columns,
    }
}

fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// (migration text, `pg_get_expr` text as printed by PostgreSQL 15 for it).
const SAME_CHECKS: &[(&str, &str)] = &[
    ("amount > 0", "(amount > (0)::numeric)"),
    ("n BETWEEN 1 AND 10", "((n >= 1) AND (n <= 10))"),
    ("char_length(name) > 0", "(char_length((name)::text) > 0)"),
    (
        "s IN ('pending', 'done')",
        "(s = ANY (ARRAY['pending'::text, 'done'::text]))",
    ),
    ("s1 IN ('one')", "(s1 = 'one'::text)"),
    (
        "s2 NOT IN ('a', 'b')",
        "(s2 <> ALL (ARRAY['a'::text, 'b'::text]))",
    ),
    ("e IN ('a', 'b')", "(e = ANY (ARRAY['a'::st, 'b'::st]))"),
    (
        "v IN ('p','q')",
        "((v)::text = ANY ((ARRAY['p'::character varying, 'q'::character varying])::text[]))",
    ),
    ("l LIKE 'a%'", "(l ~~ 'a%'::text)"),
    ("neg > -1.5", "(neg > '-1.5'::numeric)"),
    (
        "y > 0 AND y < 100 OR y IS NULL",
        "(((y > 0) AND (y < 100)) OR (y IS NULL))",
    ),
    ("length(trim(tr)) > 0", "(length(TRIM(BOTH FROM tr)) > 0)"),
    ("CAST(cs AS int) > 0", "((cs)::integer > 0)"),
    (
        "EXTRACT(year FROM d) > 2000",
        "(EXTRACT(year FROM d) > (2000)::numeric)",
    ),
    (
        "EXTRACT(year FROM d) > 2000",
        "(date_part('year'::text, d) > (2000)::double precision)",
    ),
    ("AMOUNT >= 0.00", "(amount >= 0.00)"),
    ("n < y", "(n < y)"),
];

#[test]
fn postgres_spellings_of_the_same_check_are_the_same() {
    let c = cols(&[
        "amount", "n", "name", "s", "s1", "s2", "e", "v", "l", "neg", "y", "tr", "cs", "d",
    ]);
    let enums = cols(&["st"]);
    for (mig, pg) in SAME_CHECKS {
        assert_eq!(
            compare(mig, pg, &ctx(&c, &enums, None)),
            Comparison::Same,
            "{mig} vs {pg}: {:?} / {:?}",
            normalize(mig, &ctx(&c, &enums, None)),
            normalize(pg, &ctx(&c, &enums, None))
        );
    }
}

#[test]
fn a_changed_bound_or_column_or_label_differs() {
    let c = cols(&["amount", "n", "s", "y"]);
    let x = ctx(&c, &[], None);
    assert_eq!(
        compare("amount > 0", "(amount > (10)::numeric)", &x),
        Comparison::Differs
    );
    assert_eq!(compare("amount > 0", "(n > 0)", &x), Comparison::Differs);
    assert_eq!(
        compare(
            "s IN ('pending', 'done')",
            "(s = ANY (ARRAY['pending'::text, 'done'::text, 'void'::text]))",
            &x
        ),
        Comparison::Differs
    );
    assert_eq!(compare("n < y", "(n < 5)", &x), Comparison::Differs);
}

#[test]
fn a_change_only_in_structure_or_in_a_reformatted_constant_is_unsure() {
    let c = cols(&["amount", "ts"]);
    let x = ctx(&c, &[], None);
    // Same atoms, other operator: not provably a rendering difference, so not provably a change.
    assert_eq!(
        compare("amount > 0", "(amount >= (0)::numeric)", &x),
        Comparison::Unsure
    );
    // Postgres prints timestamps in its own format (and in the session's time zone).
    assert_eq!(
        compare(
            "ts > '2020-01-01'",
            "(ts > '2021-01-01 00:00:00+00'::timestamp with time zone)",
            &x
        ),
        Comparison::Unsure
    );
    assert_eq!(compare("amount >", "(amount > 0)", &x), Comparison::Unsure);
}

#[test]
fn postgres_spellings_of_the_same_default_are_the_same() {
    let none: Vec<String> = Vec::new();
    let enums = cols(&["st"]);
    let cases: &[(&str, &str, &str)] = &[
        ("0", "0", "numeric(10,2)"),
        ("-1", "'-1'::integer", "integer"),
        ("'x'", "'x'::character varying", "character varying(20)"),
        ("'pending'", "'pending'::text", "text"),
        ("'a'", "'a'::st", "st"),
        ("'t'", "true", "boolean"),
        ("TRUE", "true", "boolean"),
        ("CURRENT_TIMESTAMP", "now()", "timestamp with time zone"),
        ("now()", "CURRENT_TIMESTAMP", "timestamp with time zone"),
        ("CURRENT_DATE", "CURRENT_DATE", "date"),
        ("'{}'", "'{}'::text[]", "text[]"),
        ("'{}'::jsonb", "'{}'::jsonb", "jsonb"),
        ("1.50", "1.50", "real"),
        ("1.5", "1.50", "real"),
        ("gen_random_uuid()", "gen_random_uuid()", "uuid"),
        (
            "nextval('t_id_seq'::regclass)",
            "nextval('t_id_seq1'::regclass)",
            "integer",
        ),
        (
            "now() + interval '1 day'",
            "(now() + '1 day'::interval)",
            "timestamp with time zone",
        ),
    ];
    for (mig, pg, ty) in cases {
        assert_eq!(
            compare(mig, pg, &ctx(&none, &enums, Some(ty))),
            Comparison::Same,
            "{mig} vs {pg} ({ty})"
        );
    }
}

#[test]
fn a_changed_default_differs_unless_the_server_reformats_it() {
    let none: Vec<String> = Vec::new();
    let enums = cols(&["st"]);
    let x = |ty| ctx(&none, &enums, Some(ty));
    assert_eq!(
        compare("'pending'", "'active'::text", &x("text")),
        Comparison::Differs
    );
    assert_eq!(compare("0", "1", &x("integer")), Comparison::Differs);
    assert_eq!(compare("false", "true", &x("boolean")), Comparison::Differs);
    assert_eq!(compare("'a'", "'b'::st", &x("st")), Comparison::Differs);
    assert_eq!(compare("0", "'x'::text", &x("text")), Comparison::Differs);
    // '24 hours' is printed back as '24:00:00': the values alone prove nothing.
    assert_eq!(
        compare("'24 hours'", "'24:00:00'::interval", &x("interval")),
        Comparison::Unsure
    );
    assert_eq!(
        compare("'{\"a\":1}'", "'{\"a\": 1}'::jsonb", &x("jsonb")),
        Comparison::Unsure
    );
    // Two functions with no arguments: not known to be synonyms, not known to differ.
    assert_eq!(
        compare("gen_random_uuid()", "uuid_generate_v4()", &x("uuid")),
        Comparison::Unsure
    );
}

#[test]
fn sqlite_defaults_compare_as_written() {
    let none: Vec<String> = Vec::new();
    let x = ExprContext {
        backend: Backend::Sqlite,
        enums: &[],
        column_type: Some("TEXT"),
        columns: &none,
    };
    assert_eq!(compare("'x'", "'x'", &x), Comparison::Same);
    assert_eq!(
        compare("(datetime('now'))", "datetime('now')", &x),
        Comparison::Same
    );
    assert_eq!(
        compare("CURRENT_TIMESTAMP", "current_timestamp", &x),
        Comparison::Same
    );
    assert_eq!(compare("'x'", "'y'", &x), Comparison::Differs);
}

#[test]
fn referenced_columns_and_renames_follow_identifiers() {
    assert_eq!(
        referenced_columns("a < b AND lower(\"B\") <> ''", Backend::Postgres),
        ["a", "b", "B"]
    );
    assert_eq!(
        rename_column(
            "amount > 0 AND amount < cap",
            "amount",
            "total",
            Backend::Postgres
        )
        .as_deref(),
        Some("total > 0 AND total < cap")
    );
}
