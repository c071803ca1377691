//! The replay against hand-written migrations: every modelled statement, the names Postgres
//! gives unnamed objects, and what is listed as not modelled.

use super::*;
use crate::code::expected::ObjectKind;
use crate::schema::Table;

fn m(version: i64, sql: &str) -> MigrationSource {
    MigrationSource {
        version,
        file: format!("{version:04}_m.sql"),
        sql: sql.to_string(),
    }
}

fn pg(ms: &[MigrationSource]) -> ExpectedSchema {
    replay(ms, Backend::Postgres)
}

#[test]
fn create_table_models_types_nullability_keys_and_defaults() {
    let e = pg(&[m(
        1,
        "CREATE TABLE users (\n  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n  email VARCHAR(255) NOT NULL UNIQUE,\n  \
         n SERIAL,\n  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n  bio TEXT\n);",
    )]);
    let t = e.schema.table("public", "users").unwrap();
    let c = |n: &str| t.column(n).unwrap();
    assert_eq!(c("id").data_type, "uuid");
    assert!(!c("id").nullable);
    assert_eq!(c("email").data_type, "character varying(255)");
    assert_eq!(c("n").data_type, "integer");
    assert!(!c("n").nullable);
    assert_eq!(c("created_at").data_type, "timestamp with time zone");
    assert!(c("bio").nullable);
    assert_eq!(t.primary_key.as_ref().unwrap().name, "users_pkey");
    assert_eq!(t.unique_constraints[0].name, "users_email_key");
    assert!(e.not_modelled.is_empty(), "{:?}", e.not_modelled);
    let o = e
        .created_by(ObjectKind::Column, "users", Some("email"))
        .unwrap();
    assert_eq!((o.version, o.line), (1, 1));
}

#[test]
fn alter_table_follows_every_modelled_change_in_order() {
    let e = pg(&[
        m(
            1,
            "CREATE TABLE habits (id BIGINT PRIMARY KEY, name TEXT, streak INT);",
        ),
        m(
            2,
            "ALTER TABLE habits ADD COLUMN archived BOOLEAN NOT NULL DEFAULT false;\n\
             ALTER TABLE habits RENAME COLUMN name TO title;\n\
             ALTER TABLE habits ALTER COLUMN title SET NOT NULL;\n\
             ALTER TABLE habits ALTER COLUMN streak TYPE BIGINT;\n\
             ALTER TABLE habits DROP COLUMN archived;\n\
             ALTER TABLE habits ALTER COLUMN streak SET DEFAULT 0;",
        ),
        m(3, "ALTER TABLE habits RENAME TO user_habits;"),
    ]);
    assert!(e.schema.table("public", "habits").is_none());
    let t = e.schema.table("public", "user_habits").unwrap();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "title", "streak"]);
    assert!(!t.column("title").unwrap().nullable);
    assert_eq!(t.column("streak").unwrap().data_type, "bigint");
    assert_eq!(t.column("streak").unwrap().default.as_deref(), Some("0"));
    let rename = e
        .last_change(ObjectKind::Column, "user_habits", Some("title"))
        .unwrap();
    assert_eq!(
        (rename.version, rename.line, rename.action.as_str()),
        (2, 3, "set not null")
    );
    let created = e
        .created_by(ObjectKind::Table, "user_habits", None)
        .unwrap();
    assert_eq!(created.version, 1);
}

#[test]
fn indexes_enums_and_domains_are_modelled() {
    let e = pg(&[m(
        1,
        "CREATE TYPE quest_status AS ENUM ('open', 'done');\n\
         ALTER TYPE quest_status ADD VALUE 'abandoned';\n\
         CREATE DOMAIN email AS citext;\n\
         CREATE TABLE quests (id INT PRIMARY KEY, status quest_status NOT NULL, owner email);\n\
         CREATE UNIQUE INDEX quests_owner_idx ON quests (owner);\n\
         CREATE INDEX ON quests (status);\n\
         DROP INDEX quests_owner_idx;",
    )]);
    assert_eq!(e.schema.enums[0].labels, ["open", "done", "abandoned"]);
    assert_eq!(e.domains[0].base_type, "citext");
    let t = e.schema.table("public", "quests").unwrap();
    assert_eq!(t.column("status").unwrap().data_type, "quest_status");
    let idx: Vec<&str> = t.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(idx, ["quests_pkey", "quests_status_idx"]);
}

#[test]
fn unmodelled_statements_are_listed_with_file_and_line() {
    let e = pg(&[m(
        7,
        "CREATE TABLE a (id INT);\n\
         DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE TABLE b (id INT); END IF; END $$;\n\
         CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.x = now(); RETURN NEW; END $$ LANGUAGE plpgsql;\n\
         INSERT INTO a VALUES (1);",
    )]);
    assert!(e.schema.table("public", "a").is_some());
    assert_eq!(e.not_modelled.len(), 2, "{:?}", e.not_modelled);
    assert_eq!(e.not_modelled[0].line, 2);
    assert_eq!(e.not_modelled[0].statement, "DO");
    assert_eq!(e.not_modelled[1].line, 3);
    assert!(e.not_modelled[1].reason.contains("function"));
    assert_eq!(e.migrations[0].not_modelled, 2);
    assert_eq!(e.migrations[0].statements, 2);
}

#[test]
fn drop_table_forgets_it_and_its_origins() {
    let e = pg(&[
        m(1, "CREATE TABLE t (id INT);"),
        m(2, "DROP TABLE IF EXISTS t;"),
    ]);
    assert!(e.schema.tables.is_empty());
    assert!(e.origins.iter().all(|o| o.table != "t"));
}

fn table<'e>(e: &'e ExpectedSchema, name: &str) -> &'e Table {
    e.schema
        .tables
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

fn index_names(t: &Table) -> Vec<&str> {
    t.indexes.iter().map(|i| i.name.as_str()).collect()
}

#[test]
fn a_renamed_column_is_renamed_in_every_key_index_check_and_reference() {
    let e = pg(&[
        m(
            1,
            "CREATE TABLE lines (invoice_id INT, position INT NOT NULL CHECK (position > 0), \
             PRIMARY KEY (invoice_id, position), UNIQUE (position));\n\
             CREATE INDEX ON lines (abs(position));\n\
             CREATE TABLE notes (id INT, line_invoice INT, line_pos INT, \
             FOREIGN KEY (line_invoice, line_pos) REFERENCES lines (invoice_id, position));",
        ),
        m(2, "ALTER TABLE lines RENAME COLUMN position TO line_no;"),
    ]);
    let t = table(&e, "lines");
    let pk = t.primary_key.as_ref().unwrap();
    assert_eq!(pk.columns, ["invoice_id", "line_no"]);
    assert_eq!(t.unique_constraints[0].columns, ["line_no"]);
    assert_eq!(t.check_constraints[0].expression, "line_no > 0");
    let abs = t
        .indexes
        .iter()
        .find(|i| i.name == "lines_abs_idx")
        .unwrap();
    assert_eq!(abs.columns, ["abs(line_no)"]);
    let fk = &table(&e, "notes").foreign_keys[0];
    assert_eq!(fk.referenced_columns, ["invoice_id", "line_no"]);
    assert!(e.not_modelled.is_empty() && e.partial_tables.is_empty());
}

#[test]
fn a_renamed_table_is_followed_by_the_foreign_keys_into_it() {
    let e = pg(&[
        m(
            1,
            "CREATE TABLE owners (id INT PRIMARY KEY, boss INT REFERENCES owners (id));\n\
             CREATE TABLE pets (id INT, owner_id INT REFERENCES owners);",
        ),
        m(2, "ALTER TABLE owners RENAME TO people;"),
    ]);
    let pets = table(&e, "pets");
    assert_eq!(pets.foreign_keys[0].referenced_table, "people");
    // Without a column list the reference is the primary key.
    assert_eq!(pets.foreign_keys[0].referenced_columns, ["id"]);
    let people = table(&e, "people");
    assert_eq!(people.foreign_keys[0].referenced_table, "people");
    // Postgres keeps the names the constraints got under the old table name.
    assert_eq!(people.primary_key.as_ref().unwrap().name, "owners_pkey");
}

#[test]
fn dropping_a_table_or_column_drops_what_depends_on_it() {
    let e = pg(&[
        m(
            1,
            "CREATE TABLE owners (id INT PRIMARY KEY, code TEXT UNIQUE);\n\
             CREATE TABLE pets (id INT PRIMARY KEY, owner_id INT REFERENCES owners (id), \
             owner_code TEXT REFERENCES owners (code), name TEXT, legs INT CHECK (legs >= 0));\n\
             CREATE INDEX ON pets (lower(name));",
        ),
        m(
            2,
            "DROP TABLE owners CASCADE;\n\
             ALTER TABLE pets DROP COLUMN id, DROP COLUMN name, DROP COLUMN legs;",
        ),
    ]);
    let pets = table(&e, "pets");
    assert!(pets.foreign_keys.is_empty(), "{:?}", pets.foreign_keys);
    assert!(pets.primary_key.is_none());
    assert!(pets.indexes.is_empty(), "{:?}", pets.indexes);
    assert!(pets.check_constraints.is_empty());
}

#[test]
fn postgres_keeps_the_numbers_of_dropped_columns_sqlite_does_not() {
    let sql = [
        m(1, "CREATE TABLE t (a INT, b INT, c INT);"),
        m(2, "ALTER TABLE t DROP COLUMN b;"),
        m(3, "ALTER TABLE t DROP COLUMN c;"),
        m(4, "ALTER TABLE t ADD COLUMN d INT;"),
    ];
    let ordinals = |e: &ExpectedSchema| -> Vec<(String, i32)> {
        table(e, "t")
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ordinal))
            .collect()
    };
    assert_eq!(
        ordinals(&pg(&sql)),
        [("a".to_string(), 1), ("d".to_string(), 4)]
    );
    assert_eq!(
        ordinals(&replay(&sql, Backend::Sqlite)),
        [("a".to_string(), 1), ("d".to_string(), 2)]
    );
}

#[test]
fn unnamed_indexes_and_keys_get_the_names_postgres_gives_them() {
    let long = "a_table_with_a_really_quite_long_name_for_testing_identifiers";
    let e = pg(&[m(
        1,
        &format!(
            "CREATE TABLE {long} (a_column_with_a_really_quite_long_name_too BIGINT PRIMARY KEY, \
             other_long_column_name_that_is_also_unique TEXT UNIQUE);\n\
             CREATE INDEX ON {long} (other_long_column_name_that_is_also_unique);\n\
             CREATE TABLE t (a INT, b INT CHECK (b > a), c INT, CHECK (c > 0));\n\
             CREATE INDEX ON t (a);\n\
             CREATE INDEX ON t (a);\n\
             CREATE INDEX ON t ((a + b));\n\
             CREATE INDEX ON t (lower(c::text));"
        ),
    )]);
    let lt = table(&e, long);
    assert_eq!(
        index_names(lt),
        [
            "a_table_with_a_really_quite_l_other_long_column_name_that_i_idx",
            "a_table_with_a_really_quite_l_other_long_column_name_that_i_key",
            "a_table_with_a_really_quite_long_name_for_testing_identifi_pkey",
        ]
    );
    let t = table(&e, "t");
    assert_eq!(
        index_names(t),
        ["t_a_idx", "t_a_idx1", "t_expr_idx", "t_lower_idx"]
    );
    let checks: Vec<&str> = t
        .check_constraints
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(checks, ["t_c_check", "t_check"]);
}

#[test]
fn renaming_an_index_or_a_constraint_renames_the_pair() {
    let e = pg(&[
        m(
            1,
            "CREATE TABLE a (id INT PRIMARY KEY, n INT, CONSTRAINT a_n_uq UNIQUE (n));\n\
             CREATE INDEX a_live ON a (n) WHERE n > 0;",
        ),
        m(
            2,
            "ALTER INDEX a_live RENAME TO a_n_live;\n\
             ALTER INDEX a_pkey RENAME TO a_pk;\n\
             ALTER TABLE a RENAME CONSTRAINT a_n_uq TO a_n_key;",
        ),
    ]);
    let t = table(&e, "a");
    assert_eq!(index_names(t), ["a_n_key", "a_n_live", "a_pk"]);
    assert_eq!(t.primary_key.as_ref().unwrap().name, "a_pk");
    assert_eq!(t.unique_constraints[0].name, "a_n_key");
    assert!(e.not_modelled.is_empty(), "{:?}", e.not_modelled);
    assert!(e.partial_tables.is_empty());
    let o = e
        .created_by(ObjectKind::Index, "a", Some("a_n_live"))
        .unwrap();
    assert_eq!(o.version, 1);
}

#[test]
fn sqlite_dialect_replays_its_own_syntax() {
    let e = replay(
        &[m(
            1,
            "CREATE TABLE books (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, isbn TEXT);\n\
             ALTER TABLE books ADD COLUMN pages INTEGER;\n\
             CREATE TRIGGER bt AFTER INSERT ON books BEGIN UPDATE books SET pages = 0; END;",
        )],
        Backend::Sqlite,
    );
    let t = e.schema.table("main", "books").unwrap();
    assert_eq!(t.columns.len(), 4);
    assert_eq!(t.column("id").unwrap().data_type, "integer");
    assert_eq!(e.not_modelled.len(), 1);
    assert_eq!(e.not_modelled[0].line, 3);
}

#[test]
fn unnamed_checks_get_the_names_postgres_gives_them() {
    // Names as PostgreSQL 15 chose them for this statement.
    let e = pg(&[m(
        1,
        "CREATE TABLE t (amount numeric CHECK (amount > 0), n int, y int CHECK (n < y), \
         CHECK (amount > 1), CONSTRAINT named CHECK (n > 0));",
    )]);
    let t = e.schema.table("public", "t").unwrap();
    let names: Vec<&str> = t
        .check_constraints
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["named", "t_amount_check", "t_amount_check1", "t_check"]
    );
    assert!(
        e.created_by(ObjectKind::Constraint, "t", Some("t_amount_check1"))
            .is_some()
    );
}

#[test]
fn column_renames_and_drops_carry_over_to_constraints() {
    let e = pg(&[
        m(
            1,
            "CREATE TABLE users (id BIGINT PRIMARY KEY, score INT CHECK (score >= 0), \
             cap INT, CHECK (score < cap));\n\
             CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id));",
        ),
        m(
            2,
            "ALTER TABLE users RENAME COLUMN score TO points;\n\
             ALTER TABLE users DROP COLUMN cap;\n\
             ALTER TABLE users RENAME COLUMN id TO user_id;\n\
             ALTER TABLE users RENAME TO members;\n\
             ALTER TABLE members RENAME CONSTRAINT users_score_check TO points_positive;",
        ),
    ]);
    let t = e.schema.table("public", "members").unwrap();
    assert_eq!(t.check_constraints.len(), 1, "{:?}", t.check_constraints);
    assert_eq!(t.check_constraints[0].name, "points_positive");
    assert_eq!(t.check_constraints[0].expression, "points >= 0");
    assert_eq!(t.primary_key.as_ref().unwrap().columns, ["user_id"]);
    let fk = &e.schema.table("public", "posts").unwrap().foreign_keys[0];
    assert_eq!(fk.referenced_table, "members");
    assert_eq!(fk.referenced_columns, ["user_id"]);
    assert!(
        e.created_by(ObjectKind::Constraint, "members", Some("points_positive"))
            .is_some()
    );
    assert!(e.not_modelled.is_empty(), "{:?}", e.not_modelled);
}

#[test]
fn drops_and_renames_are_recorded_under_the_old_name() {
    let e = pg(&[
        m(
            1,
            "CREATE TABLE users (id INT, name TEXT, legacy TEXT);\nCREATE TABLE tmp (id INT);",
        ),
        m(
            2,
            "ALTER TABLE users RENAME COLUMN name TO full_name;\n\
             ALTER TABLE users DROP COLUMN legacy;\n\
             ALTER TABLE users DROP COLUMN IF EXISTS never_there;\n\
             DROP TABLE tmp;\n\
             ALTER TABLE users RENAME TO accounts;",
        ),
    ]);
    type Row<'a> = (&'a str, Option<&'a str>, &'a str, Option<&'a str>, i64, u32);
    let got: Vec<Row> = e
        .removals
        .iter()
        .map(|r| {
            (
                r.table.as_str(),
                r.name.as_deref(),
                r.action.as_str(),
                r.renamed_to.as_deref(),
                r.version,
                r.line,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("users", Some("name"), "rename", Some("full_name"), 2, 1),
            ("users", Some("legacy"), "drop", None, 2, 2),
            ("tmp", None, "drop", None, 2, 4),
            ("users", None, "rename", Some("accounts"), 2, 5),
        ]
    );
    // A dropped object is not created by anything any more, and origins are untouched.
    assert!(e.created_by(ObjectKind::Table, "tmp", None).is_none());
    assert!(
        e.created_by(ObjectKind::Column, "accounts", Some("full_name"))
            .is_some()
    );
}
