//! What Describe cannot see: the role the service connects as, what it may do (table, column,
//! sequence, schema and function privileges, and the default privileges new tables will get),
//! the session settings it runs under (search_path and timeouts, with where each comes from),
//! and what changes an INSERT beyond the column definitions (triggers, rules, domain
//! defaults, MySQL's strict mode). Gathered read-only under gaps' own connection.
//!
//! Every part is a [`Section`]: a part the server would not show (managed providers restrict
//! some catalogs, MySQL shows only the connecting account's grants) is recorded as failed with
//! the server's reason, never as "nothing granted"; a part that does not apply to the engine is
//! skipped. [`settings`] decides the effective settings.

pub mod mysql_grants;
pub mod settings;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::schema::RelationName;
use crate::section::Section;

pub use settings::{CodeSetting, EffectiveSetting, SettingSource};

/// The service section of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceEvidence {
    /// The engine the evidence was read from.
    pub backend: Backend,
    /// The role (MySQL: the account, `user@host`) the service connects as.
    pub role: String,
    /// How the role was chosen.
    pub role_source: RoleSource,
    /// Facts about the role itself.
    #[serde(default)]
    pub role_facts: Section<RoleFacts>,
    /// Table-level privileges on every relation of the live schema.
    #[serde(default)]
    pub tables: Section<Vec<TablePrivileges>>,
    /// Column privileges, for the relations where the role holds a privilege on some columns
    /// only (see [`TablePrivileges::on_some_columns`]).
    #[serde(default)]
    pub columns: Section<Vec<ColumnPrivileges>>,
    /// Privileges on every sequence.
    #[serde(default)]
    pub sequences: Section<Vec<SequencePrivileges>>,
    /// Privileges on every non-system schema.
    #[serde(default)]
    pub schemas: Section<Vec<SchemaPrivileges>>,
    /// The functions the role may not execute (at least one overload of the name); every
    /// other function it may.
    #[serde(default)]
    pub functions: Section<Vec<FunctionPrivileges>>,
    /// Default privileges (`ALTER DEFAULT PRIVILEGES`): what tables created later will grant.
    #[serde(default)]
    pub default_privileges: Section<Vec<DefaultPrivilege>>,
    /// The settings the service's sessions run under, with where each comes from.
    #[serde(default)]
    pub settings: Section<Vec<EffectiveSetting>>,
    /// What changes an INSERT beyond the column definitions.
    #[serde(default)]
    pub write_hooks: Section<WriteHooks>,
}

impl ServiceEvidence {
    /// The parts that were attempted and could not be read, by name.
    pub fn unread_parts(&self) -> Vec<(&'static str, &crate::section::SectionError)> {
        let parts: [(&'static str, Option<&crate::section::SectionError>); 9] = [
            ("role", self.role_facts.error()),
            ("table privileges", self.tables.error()),
            ("column privileges", self.columns.error()),
            ("sequence privileges", self.sequences.error()),
            ("schema privileges", self.schemas.error()),
            ("function privileges", self.functions.error()),
            ("default privileges", self.default_privileges.error()),
            ("session settings", self.settings.error()),
            (
                "triggers, rules and domain defaults",
                self.write_hooks.error(),
            ),
        ];
        parts
            .into_iter()
            .filter_map(|(n, e)| e.map(|e| (n, e)))
            .collect()
    }

    /// The table-level privileges of `schema.name`, when they were read.
    pub fn table(&self, schema: &str, name: &str) -> Option<&TablePrivileges> {
        self.tables
            .data()?
            .iter()
            .find(|t| t.schema == schema && t.name == name)
    }

    /// Whether the role may use schema `name`: None when unknown.
    pub fn schema_usage(&self, name: &str) -> Option<bool> {
        let schemas = self.schemas.data()?;
        Some(
            schemas
                .iter()
                .find(|s| s.name == name)
                .is_some_and(|s| s.held.contains(&Privilege::Usage)),
        )
    }

    /// The effective value of setting `name`, when known.
    pub fn setting(&self, name: &str) -> Option<&EffectiveSetting> {
        self.settings.data()?.iter().find(|s| s.name == name)
    }

    /// True when the role is a superuser (every privilege check passes).
    pub fn is_superuser(&self) -> bool {
        self.role_facts.data().is_some_and(|r| r.superuser)
    }

    /// True when the role was not named (`--service-role` absent: gaps' own user stands in)
    /// and it may not write to any table: a read-only role made for diagnosis, not the role
    /// the service runs as, so its privileges say nothing about the service's.
    pub fn is_read_only_stand_in(&self) -> bool {
        self.role_source == RoleSource::ConnectingUser
            && !self.is_superuser()
            && self.tables.data().is_some_and(|tables| {
                !tables.iter().any(|t| {
                    t.owned
                        || t.held.iter().chain(&t.on_some_columns).any(|p| {
                            matches!(p, Privilege::Insert | Privilege::Update | Privilege::Delete)
                        })
                })
            })
    }
}

/// How the service role was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    /// `--service-role`.
    Flag,
    /// The user gaps connected as (no `--service-role`): the checks use `current_user`.
    ConnectingUser,
}

/// Facts about the service role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoleFacts {
    /// A superuser passes every privilege check.
    #[serde(default)]
    pub superuser: bool,
    /// The user gaps itself connected as.
    pub connecting_user: String,
    /// MySQL/MariaDB: roles active in gaps' session, whose grants `information_schema` does
    /// not show (the privileges are then not judged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active_roles: Vec<String>,
}

/// A privilege, as SQL names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Privilege {
    /// SELECT.
    Select,
    /// INSERT.
    Insert,
    /// UPDATE.
    Update,
    /// DELETE.
    Delete,
    /// USAGE (schemas, sequences).
    Usage,
    /// EXECUTE (functions).
    Execute,
    /// CREATE (schemas).
    Create,
}

impl Privilege {
    /// The keyword: "SELECT", "USAGE", ...
    pub fn sql(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Usage => "USAGE",
            Privilege::Execute => "EXECUTE",
            Privilege::Create => "CREATE",
        }
    }

    /// Parses a keyword (any case).
    pub fn parse(s: &str) -> Option<Privilege> {
        [
            Privilege::Select,
            Privilege::Insert,
            Privilege::Update,
            Privilege::Delete,
            Privilege::Usage,
            Privilege::Execute,
            Privilege::Create,
        ]
        .into_iter()
        .find(|p| p.sql().eq_ignore_ascii_case(s.trim()))
    }
}

/// The role's table-level privileges on one relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TablePrivileges {
    /// Schema (MySQL: the database).
    pub schema: String,
    /// Relation name.
    pub name: String,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// True when the role owns it or belongs to the role that does (so it also owns the
    /// tables that role creates later).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub owned: bool,
    /// SELECT, INSERT, UPDATE, DELETE held on the whole relation (through any grant: to the
    /// role, a role it belongs to, PUBLIC, ownership).
    #[serde(default)]
    pub held: Vec<Privilege>,
    /// Privileges not held on the relation but on some of its columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_some_columns: Vec<Privilege>,
}

impl TablePrivileges {
    /// Whether the role holds `p` on the whole relation.
    pub fn holds(&self, p: Privilege) -> bool {
        self.held.contains(&p)
    }
}

/// The role's privileges on one column of a relation where it holds some privilege on some
/// columns only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ColumnPrivileges {
    /// Schema.
    pub schema: String,
    /// Relation.
    pub table: String,
    /// Column.
    pub column: String,
    /// SELECT, INSERT, UPDATE held on it (the relation-level ones included).
    #[serde(default)]
    pub held: Vec<Privilege>,
}

/// The role's privileges on one sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SequencePrivileges {
    /// Schema.
    pub schema: String,
    /// Sequence name.
    pub name: String,
    /// USAGE, SELECT, UPDATE held.
    #[serde(default)]
    pub held: Vec<Privilege>,
}

impl SequencePrivileges {
    /// `nextval` needs USAGE or UPDATE.
    pub fn may_nextval(&self) -> bool {
        self.held.contains(&Privilege::Usage) || self.held.contains(&Privilege::Update)
    }
}

/// The role's privileges on one schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SchemaPrivileges {
    /// Schema name.
    pub name: String,
    /// USAGE, CREATE held.
    #[serde(default)]
    pub held: Vec<Privilege>,
}

/// A function name of which the role may not execute at least one overload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionPrivileges {
    /// Schema.
    pub schema: String,
    /// Function name.
    pub name: String,
    /// Overloads of this name in this schema.
    pub overloads: u32,
    /// Of those, the ones the role may execute.
    pub executable: u32,
    /// Whether a function of the same name in another schema is executable by the role.
    #[serde(default)]
    pub executable_elsewhere: bool,
    /// The argument lists of the overloads it may not execute (`integer, text`).
    #[serde(default)]
    pub denied: Vec<String>,
}

/// One default privilege: what objects `owner` creates (in `schema`, or anywhere) will grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DefaultPrivilege {
    /// The role whose new objects it covers.
    pub owner: String,
    /// The schema it is limited to; None: every schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// "table", "sequence", "function", "type" or "schema".
    pub object_type: String,
    /// The grantee ("PUBLIC" or a role).
    pub grantee: String,
    /// The privilege granted.
    pub privilege: Privilege,
    /// Whether it reaches the service role (PUBLIC, the role, or a role it belongs to).
    #[serde(default)]
    pub applies: bool,
}

/// A column of a relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ColumnName {
    /// Schema.
    pub schema: String,
    /// Relation.
    pub table: String,
    /// Column.
    pub column: String,
}

/// What changes an INSERT beyond the column definitions: where one applies, a missing NOT
/// NULL value is not predicted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WriteHooks {
    /// Relations with an enabled BEFORE INSERT row trigger (it may fill the value).
    #[serde(default)]
    pub before_insert_triggers: Vec<RelationName>,
    /// Relations with a rule on INSERT (it may rewrite the statement).
    #[serde(default)]
    pub insert_rules: Vec<RelationName>,
    /// Columns whose type is a domain with a DEFAULT (the domain fills the value).
    #[serde(default)]
    pub domain_defaults: Vec<ColumnName>,
    /// Relations whose triggers the collecting account cannot see (MySQL lists a table's
    /// triggers only to an account with the TRIGGER privilege on it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers_unseen: Vec<RelationName>,
    /// MySQL/MariaDB: the session's `sql_mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_mode: Option<String>,
}

impl WriteHooks {
    /// Whether something other than the column definitions may fill a value inserted into
    /// `schema.table` (or gaps could not see whether something does).
    pub fn fills(&self, schema: &str, table: &str) -> bool {
        let is = |r: &RelationName| r.schema == schema && r.name == table;
        self.before_insert_triggers.iter().any(is)
            || self.insert_rules.iter().any(is)
            || self.triggers_unseen.iter().any(is)
    }

    /// Whether `column`'s type is a domain with a default.
    pub fn domain_default(&self, schema: &str, table: &str, column: &str) -> bool {
        self.domain_defaults
            .iter()
            .any(|c| c.schema == schema && c.table == table && c.column == column)
    }

    /// MySQL/MariaDB: whether a missing value or an invalid enum label is an error (strict
    /// mode) rather than a warning; None when the mode was not read.
    pub fn strict(&self) -> Option<bool> {
        let mode = self.sql_mode.as_deref()?;
        Some(
            mode.split(',')
                .any(|m| matches!(m.trim(), "STRICT_TRANS_TABLES" | "STRICT_ALL_TABLES")),
        )
    }
}
