//! What a live schema is missing: which catalogs (columns, keys, indexes, ...) could not be
//! read, for which relations, and why. Partial evidence is never complete evidence: the rules
//! ask [`Schema::sees`](crate::schema::Schema::sees) before concluding anything from the absence of an object.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One catalog of a live schema: a kind of object the rules depend on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Catalog {
    /// Schema (namespace) names.
    Schemas,
    /// The relations themselves.
    Tables,
    /// Columns with their types, nullability, defaults and generation.
    Columns,
    /// Primary keys and UNIQUE constraints.
    Keys,
    /// Foreign keys (their columns and referenced table).
    ForeignKeys,
    /// The ON UPDATE / ON DELETE rules of foreign keys.
    ForeignKeyRules,
    /// CHECK constraints.
    Checks,
    /// Indexes.
    Indexes,
    /// Enum types and their labels.
    Enums,
    /// Installed extensions.
    Extensions,
}

impl Catalog {
    /// Every catalog, in declaration order.
    pub const ALL: [Catalog; 10] = [
        Catalog::Schemas,
        Catalog::Tables,
        Catalog::Columns,
        Catalog::Keys,
        Catalog::ForeignKeys,
        Catalog::ForeignKeyRules,
        Catalog::Checks,
        Catalog::Indexes,
        Catalog::Enums,
        Catalog::Extensions,
    ];

    /// The name a person reads ("columns", "foreign key rules").
    pub fn label(self) -> &'static str {
        match self {
            Catalog::Schemas => "schemas",
            Catalog::Tables => "tables",
            Catalog::Columns => "columns",
            Catalog::Keys => "primary keys and unique constraints",
            Catalog::ForeignKeys => "foreign keys",
            Catalog::ForeignKeyRules => "foreign key rules",
            Catalog::Checks => "CHECK constraints",
            Catalog::Indexes => "indexes",
            Catalog::Enums => "enum types",
            Catalog::Extensions => "extensions",
        }
    }
}

/// Why a catalog (or part of one) was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncompleteCause {
    /// The server refused the read (an error other than those below).
    Error,
    /// The collecting role may not read the catalog.
    Permission,
    /// The read waited longer than gaps' lock timeout behind another session's lock.
    LockTimeout,
    /// Another session holds (or queues for) an exclusive lock on the relation, so gaps did
    /// not read it at all rather than wait.
    Locked,
    /// The read ran longer than the statement timeout.
    Timeout,
    /// The collection's overall deadline was reached first.
    Deadline,
    /// The server stopped answering, or the connection was lost.
    ConnectionLost,
    /// The account can read the catalog but the server hides part of it.
    Hidden,
}

impl IncompleteCause {
    /// A few words for people.
    pub fn label(self) -> &'static str {
        match self {
            IncompleteCause::Error => "error",
            IncompleteCause::Permission => "permission denied",
            IncompleteCause::LockTimeout => "lock timeout",
            IncompleteCause::Locked => "locked by another session",
            IncompleteCause::Timeout => "statement timeout",
            IncompleteCause::Deadline => "collection deadline reached",
            IncompleteCause::ConnectionLost => "connection lost or stalled",
            IncompleteCause::Hidden => "hidden from this account",
        }
    }
}

/// A relation by schema and name.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct RelationName {
    /// Schema (namespace) name.
    pub schema: String,
    /// Relation name.
    pub name: String,
}

impl std::fmt::Display for RelationName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// A catalog read that did not give complete evidence. Its rows, if any were streamed before
/// the failure, were dropped: what the catalogs below describe is unknown, not absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IncompleteCatalog {
    /// What the collector was reading, e.g. "reading columns (pg_attribute, pg_attrdef)".
    pub during: String,
    /// Why it is incomplete (the server's message, redacted).
    pub message: String,
    /// The catalogs this read would have filled. Empty in snapshots written before gaps
    /// recorded it: then they are inferred from `during` (see [`IncompleteCatalog::covers`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogs: Vec<Catalog>,
    /// When only some relations were not read (they were locked): those. Empty means the
    /// catalogs are unknown for every relation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelationName>,
    /// Why, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<IncompleteCause>,
}

impl IncompleteCatalog {
    /// A whole-catalog gap.
    pub fn new(
        during: impl Into<String>,
        message: impl Into<String>,
        catalogs: &[Catalog],
        cause: IncompleteCause,
    ) -> IncompleteCatalog {
        IncompleteCatalog {
            during: during.into(),
            message: message.into(),
            catalogs: catalogs.to_vec(),
            relations: Vec::new(),
            cause: Some(cause),
        }
    }

    /// The catalogs this entry leaves unknown: the recorded ones, else those named in
    /// `during` (older snapshots), else every catalog (nothing is assumed complete).
    pub fn covers(&self) -> Vec<Catalog> {
        if !self.catalogs.is_empty() {
            return self.catalogs.clone();
        }
        let d = self.during.as_str();
        let mut out = Vec::new();
        let mut add = |c: Catalog| {
            if !out.contains(&c) {
                out.push(c);
            }
        };
        if d.contains("foreign key rules") {
            add(Catalog::ForeignKeyRules);
        } else if d.contains("foreign keys") {
            add(Catalog::ForeignKeys);
        }
        if d.contains("constraints") || d.contains("reading keys") {
            add(Catalog::Keys);
            add(Catalog::ForeignKeys);
            add(Catalog::Checks);
        }
        if d.contains("CHECK") {
            add(Catalog::Checks);
        }
        if d.contains("columns") {
            add(Catalog::Columns);
        }
        if d.contains("indexes") {
            add(Catalog::Indexes);
        }
        if d.contains("enum") {
            add(Catalog::Enums);
        }
        if d.contains("extensions") {
            add(Catalog::Extensions);
        }
        if d.contains("schemas") {
            add(Catalog::Schemas);
        }
        if out.is_empty() {
            Catalog::ALL.to_vec()
        } else {
            out
        }
    }

    /// Whether this entry leaves `catalog` unknown for relation `schema.table`.
    pub fn hides(&self, catalog: Catalog, schema: &str, table: &str) -> bool {
        self.covers().contains(&catalog)
            && (self.relations.is_empty()
                || self
                    .relations
                    .iter()
                    .any(|r| r.schema == schema && r.name == table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn gap(during: &str) -> IncompleteCatalog {
        IncompleteCatalog {
            during: during.into(),
            message: "m".into(),
            catalogs: Vec::new(),
            relations: Vec::new(),
            cause: None,
        }
    }

    #[test]
    fn older_entries_are_read_by_the_catalog_their_text_names() {
        assert_eq!(
            gap("reading columns (pg_attribute, pg_attrdef)").covers(),
            [Catalog::Columns]
        );
        assert_eq!(
            gap("reading constraints (pg_constraint)").covers(),
            [Catalog::Keys, Catalog::ForeignKeys, Catalog::Checks]
        );
        assert_eq!(
            gap("reading foreign key rules (information_schema.REFERENTIAL_CONSTRAINTS)").covers(),
            [Catalog::ForeignKeyRules]
        );
        // Text that names nothing known: nothing is assumed complete.
        assert_eq!(gap("reading something new").covers(), Catalog::ALL);
    }

    #[test]
    fn a_gap_for_some_relations_hides_only_those() {
        let mut s = Schema::default();
        assert!(s.sees(Catalog::Columns, "public", "users"));
        s.incomplete.push(IncompleteCatalog {
            relations: vec![RelationName {
                schema: "public".into(),
                name: "users".into(),
            }],
            ..IncompleteCatalog::new(
                "reading columns",
                "locked",
                &[Catalog::Columns, Catalog::Indexes],
                IncompleteCause::Locked,
            )
        });
        assert!(!s.sees(Catalog::Columns, "public", "users"));
        assert!(!s.sees(Catalog::Indexes, "public", "users"));
        assert!(s.sees(Catalog::Columns, "public", "todos"));
        assert!(s.sees(Catalog::Enums, "public", "users"));
        assert!(!s.sees_all(Catalog::Columns));
        assert!(s.sees_all(Catalog::Enums));
    }

    #[test]
    fn a_whole_catalog_gap_hides_every_relation() {
        let s = Schema {
            incomplete: vec![IncompleteCatalog::new(
                "reading enum types (pg_enum)",
                "permission denied for table pg_enum",
                &[Catalog::Enums],
                IncompleteCause::Permission,
            )],
            ..Schema::default()
        };
        assert!(!s.sees(Catalog::Enums, "any", "thing"));
        assert!(s.sees(Catalog::Columns, "any", "thing"));
    }

    #[test]
    fn older_snapshots_load_with_text_only_entries() {
        let e: IncompleteCatalog =
            serde_json::from_str(r#"{"during":"reading indexes (pg_index)","message":"x"}"#)
                .unwrap();
        assert_eq!(e.covers(), [Catalog::Indexes]);
        assert_eq!(e.cause, None);
    }
}
