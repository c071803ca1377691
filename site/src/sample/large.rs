//! A generator of very large snapshots that compress like real ones: table and column names
//! drawn from vocabularies, 4 to 36 columns of varied types, defaults, keys, indexes and foreign
//! keys, and an expected schema (as the migrations replay gives it) that differs from the live
//! one in a few tables. [`super::large_snapshot`]'s identical `table_NNNNN` tables compress
//! about 100x, which hides what a real schema costs the page; this one is for benchmarks of
//! the page's size and of the viewer.

use gaps_core::code::ExpectedSchema;
use gaps_core::code::expected::{ExpectationMode, ReplayedMigration};
use gaps_core::schema::{Column, Table};
use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;
use gaps_core::testing::{self, fk, index, key, table_in};

const NOUNS: [&str; 48] = [
    "account",
    "address",
    "audit",
    "batch",
    "billing",
    "booking",
    "campaign",
    "cart",
    "catalog",
    "channel",
    "charge",
    "comment",
    "contract",
    "coupon",
    "customer",
    "delivery",
    "device",
    "document",
    "event",
    "export",
    "feature",
    "invoice",
    "ledger",
    "license",
    "listing",
    "member",
    "message",
    "metric",
    "note",
    "order",
    "organization",
    "partner",
    "payment",
    "payout",
    "plan",
    "price",
    "product",
    "profile",
    "refund",
    "report",
    "review",
    "session",
    "shipment",
    "subscription",
    "task",
    "team",
    "ticket",
    "warehouse",
];
const SUFFIXES: [&str; 12] = [
    "items",
    "history",
    "events",
    "links",
    "settings",
    "snapshots",
    "logs",
    "versions",
    "tags",
    "states",
    "archive",
    "stats",
];
const SCHEMAS: [&str; 4] = ["public", "billing", "analytics", "auth"];
const COLUMNS: [&str; 40] = [
    "name",
    "title",
    "status",
    "kind",
    "amount",
    "currency",
    "quantity",
    "email",
    "phone",
    "country",
    "city",
    "postal_code",
    "description",
    "notes",
    "external_id",
    "reference",
    "created_at",
    "updated_at",
    "deleted_at",
    "expires_at",
    "starts_at",
    "ends_at",
    "is_active",
    "is_default",
    "priority",
    "position",
    "score",
    "weight",
    "locale",
    "timezone",
    "version",
    "checksum",
    "payload",
    "metadata",
    "source",
    "channel",
    "owner",
    "region",
    "tier",
    "flags",
];
const TYPES: [&str; 16] = [
    "text",
    "bigint",
    "integer",
    "boolean",
    "timestamp with time zone",
    "numeric(12,2)",
    "character varying(255)",
    "character varying(64)",
    "uuid",
    "jsonb",
    "date",
    "smallint",
    "double precision",
    "bytea",
    "text[]",
    "inet",
];

/// A small deterministic generator (SplitMix64), so every run builds the same snapshot.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

fn make_table(rng: &mut Rng, i: usize, names: &[(String, String)]) -> Table {
    let (schema, name) = &names[i];
    let n = 4 + rng.below(33);
    let mut columns = vec![Column {
        default: Some(format!("nextval('{name}_id_seq'::regclass)")),
        ..testing::col(1, "id", "bigint", false)
    }];
    let mut seen = std::collections::BTreeSet::new();
    let parent = (i > 0 && rng.below(3) == 0).then(|| rng.below(i));
    if let Some(p) = parent {
        columns.push(testing::col(
            2,
            &format!("{}_id", names[p].1),
            "bigint",
            false,
        ));
    }
    while columns.len() < n {
        let base = rng.pick(&COLUMNS);
        let cname = if seen.insert(base) {
            base.to_string()
        } else {
            format!("{base}_{}", columns.len())
        };
        let ty = rng.pick(&TYPES);
        let mut c = testing::col(columns.len() as i32 + 1, &cname, ty, rng.below(3) != 0);
        c.default = match (ty, rng.below(6)) {
            ("timestamp with time zone", 0..=2) => Some("now()".into()),
            ("boolean", 0..=3) => Some("false".into()),
            ("integer" | "bigint" | "smallint", 0..=1) => Some("0".into()),
            ("text", 0) => Some("'pending'::text".into()),
            _ => None,
        };
        columns.push(c);
    }
    let mut t = table_in(schema, name, columns);
    t.primary_key = Some(key(&format!("{name}_pkey"), &["id"]));
    t.indexes
        .push(index(&format!("{name}_pkey"), &["id"], true, None));
    if let Some(p) = parent {
        let (ps, pn) = &names[p];
        let col = format!("{pn}_id");
        let mut f = fk(&format!("{name}_{col}_fkey"), &col, pn, "cascade");
        f.referenced_schema = ps.clone();
        t.foreign_keys.push(f);
        t.indexes.push(index(
            &format!("{name}_{col}_idx"),
            &[&col],
            false,
            Some(&format!(
                "CREATE INDEX {name}_{col}_idx ON {schema}.{name} USING btree ({col})"
            )),
        ));
    }
    if rng.below(4) == 0 {
        let c = t.columns[t.columns.len() - 1].name.clone();
        t.unique_constraints
            .push(key(&format!("{name}_{c}_key"), &[&c]));
    }
    t
}

/// A snapshot of `tables` varied tables (about 20 columns each) in four schemas, 200 applied
/// migrations, and an expected schema equal to the live one except: every 500th table misses
/// a column live, every 1,000th has a column of another type live, and every 2,000th is
/// expected but absent live. Deterministic.
pub fn realistic_snapshot(tables: usize) -> Snapshot {
    let mut rng = Rng(0x6761_7073);
    let names: Vec<(String, String)> = (0..tables)
        .map(|i| {
            let name = match rng.below(3) {
                0 => format!("{}_{}", rng.pick(&NOUNS), rng.pick(&SUFFIXES)),
                1 => format!("{}_{}", rng.pick(&NOUNS), rng.pick(&NOUNS)),
                _ => rng.pick(&NOUNS).to_string(),
            };
            (rng.pick(&SCHEMAS).to_string(), format!("{name}_{i}"))
        })
        .collect();
    let expected_tables: Vec<Table> = (0..tables)
        .map(|i| make_table(&mut rng, i, &names))
        .collect();
    let mut live_tables = Vec::with_capacity(tables);
    for (i, t) in expected_tables.iter().enumerate() {
        if i % 2000 == 1999 {
            continue;
        }
        let mut t = t.clone();
        if i % 500 == 7 {
            t.columns.pop();
        }
        if i % 1000 == 11
            && let Some(c) = t.columns.last_mut()
        {
            c.data_type = if c.data_type == "text" {
                "integer"
            } else {
                "text"
            }
            .into();
        }
        live_tables.push(t);
    }
    let schema = |tables: Vec<Table>| {
        let mut s = testing::schema(tables);
        s.schemas = SCHEMAS.iter().map(|s| s.to_string()).collect();
        s.canonicalize();
        s
    };
    let mut s = super::sample_snapshot();
    s.local_migrations = Section::skipped("not generated");
    s.schema = Section::collected(schema(live_tables));
    s.applied_migrations = Section::collected(testing::applied_migrations(
        (1..=200)
            .map(|v| testing::applied(v, &format!("{} {}", rng.pick(&NOUNS), rng.pick(&SUFFIXES))))
            .collect(),
    ));
    s.expected_schema = Section::collected(ExpectedSchema {
        mode: ExpectationMode::Replay,
        schema: schema(expected_tables),
        migrations: (1..=200)
            .map(|v| ReplayedMigration {
                version: v,
                file: format!("migrations/{v:04}_change.sql"),
                statements: 1 + (v % 7) as u32,
                not_modelled: 0,
            })
            .collect(),
        ..ExpectedSchema::default()
    });
    s
}
