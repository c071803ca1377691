//! The table a foreign key references is named by the collector from the relations it has
//! already read, not by joining pg_class twice on the server; a target outside them (a
//! table in a system schema) is asked of the server by oid. Proven on a throwaway
//! PostgreSQL against the server's own names for every foreign key: within a schema, across
//! schemas, to a partitioned table, to itself, to a quoted name, and to a table a superuser
//! put in information_schema.

mod common;

use gaps_tests::pg;

const SCHEMA: &str = r#"
CREATE SCHEMA a; CREATE SCHEMA "B b";
CREATE TABLE a.parent (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE "B b"."Odd Name" (id int PRIMARY KEY);
CREATE TABLE a.part (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE a.part_1 PARTITION OF a.part FOR VALUES FROM (0) TO (10);
CREATE TABLE information_schema.gaps_target (id int PRIMARY KEY);
CREATE TABLE a.child (
  id int PRIMARY KEY,
  parent_id int REFERENCES a.parent (id),
  parent_code text REFERENCES a.parent (code) ON DELETE CASCADE,
  odd_id int REFERENCES "B b"."Odd Name" (id),
  part_id int, part_k int,
  self_id int REFERENCES a.child (id),
  sys_id int REFERENCES information_schema.gaps_target (id),
  FOREIGN KEY (part_id, part_k) REFERENCES a.part (id, k)
);
CREATE TABLE "B b".other (id int PRIMARY KEY, child_id int REFERENCES a.child (id));
"#;

/// Every foreign key of the relations gaps reports, as the server names its target:
/// `schema|table|constraint|target schema|target table|target columns`. The columns of a
/// target in a system schema are not read (gaps reads no columns there), so they stay
/// numbered, `#1`, as they always were.
const ORACLE: &str = r#"
SELECT concat_ws('|', n.nspname, c.relname, con.conname, rn.nspname, rc.relname,
         (SELECT string_agg(CASE WHEN rn.nspname LIKE 'pg\_%'
                                   OR rn.nspname = 'information_schema'
                                 THEN '#' || k.n ELSE a.attname::text END, ',' ORDER BY k.i)
          FROM unnest(con.confkey) WITH ORDINALITY AS k(n, i)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n))
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class rc ON rc.oid = con.confrelid
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype = 'f'
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
"#;

#[test]
fn foreign_key_targets_are_named_as_the_server_names_them() {
    let c = pg::cluster();
    let db = c.create_database("fktargets");
    c.psql(&db.name, SCHEMA).expect("the schema");
    let snap = common::collect_snapshot(&db.url, &[]);
    let schema = &snap["schema"];
    assert_eq!(schema["status"], "collected", "{}", schema["status"]);
    assert!(
        schema["data"]
            .get("incomplete")
            .is_none_or(|i| i.as_array().is_some_and(Vec::is_empty)),
        "{}",
        schema["data"]["incomplete"]
    );
    let mut got = Vec::new();
    for t in schema["data"]["tables"].as_array().unwrap() {
        for fk in t["foreign_keys"].as_array().into_iter().flatten() {
            let cols: Vec<&str> = fk["referenced_columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            got.push(format!(
                "{}|{}|{}|{}|{}|{}",
                t["schema"].as_str().unwrap(),
                t["name"].as_str().unwrap(),
                fk["name"].as_str().unwrap(),
                fk["referenced_schema"].as_str().unwrap(),
                fk["referenced_table"].as_str().unwrap(),
                cols.join(",")
            ));
        }
    }
    got.sort();
    let mut want: Vec<String> = c
        .psql(&db.name, ORACLE)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    want.sort();
    assert_eq!(got, want);
    // Each kind of target is there, the system-schema one included.
    for target in [
        "|a|parent|id",
        "|a|parent|code",
        "|B b|Odd Name|id",
        "|a|part|id,k",
        "|a|child|id",
        "|information_schema|gaps_target|#1",
    ] {
        assert!(got.iter().any(|g| g.ends_with(target)), "{target}: {got:?}");
    }
}
