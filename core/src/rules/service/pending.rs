//! `privilege_missing` (warning) for a table a pending migration will create: the role that
//! runs the migrations (the migrations table's owner) will own it, and the service role gets
//! only what that role's default privileges (`ALTER DEFAULT PRIVILEGES`) grant, unless the
//! migration grants it itself. Stands down when the migrations' owner is unknown, is the
//! service role (or a role it belongs to), or when a pending migration runs a statement the
//! replay does not model that could grant (GRANT, ALTER DEFAULT PRIVILEGES, DO, CALL).

use std::collections::BTreeMap;

use crate::actions;
use crate::backend::Backend;
use crate::code::expected::{ExpectationMode, ObjectKind};
use crate::code::sql::{Access, WriteKind};
use crate::finding::{Finding, FindingKind, Severity};
use crate::migrations::MigrationStatus;
use crate::service::{Privilege, ServiceEvidence};

use super::judged::Ctx;
use super::names::{grantee, pg_ident};

/// The role that owns the migrations table: the one that runs migrations.
fn migrator<'a>(
    ctx: &Ctx,
    service: &'a ServiceEvidence,
) -> Option<&'a crate::service::TablePrivileges> {
    let applied = ctx.snapshot.applied_migrations.data()?.known()?;
    if !applied.present {
        return None;
    }
    let tables = service.tables.data()?;
    match applied.table.rsplit_once('.') {
        Some((schema, name)) => tables.iter().find(|t| t.schema == schema && t.name == name),
        None => ctx.gaps_path.iter().flatten().find_map(|schema| {
            tables
                .iter()
                .find(|t| &t.schema == schema && t.name == applied.table)
        }),
    }
}

/// The privileges the code's statements need on each table, by name.
fn needed_by_code(ctx: &Ctx) -> BTreeMap<String, Vec<Privilege>> {
    let mut out: BTreeMap<String, Vec<Privilege>> = BTreeMap::new();
    for site in ctx.code.queries.iter().filter(|q| q.in_target_database()) {
        for st in site.access.iter().flat_map(|a| &a.statements) {
            for t in &st.tables {
                let e = out.entry(t.name.clone()).or_default();
                if t.access == Access::Read {
                    e.push(Privilege::Select);
                }
            }
            for w in &st.writes {
                out.entry(w.table.clone()).or_default().push(match w.kind {
                    WriteKind::Insert => Privilege::Insert,
                    WriteKind::Update => Privilege::Update,
                    WriteKind::Delete => Privilege::Delete,
                });
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
        v.dedup();
    }
    out
}

pub(super) fn default_privileges(ctx: &Ctx) -> Vec<Finding> {
    let Some(service) = ctx.service else {
        return Vec::new();
    };
    let (Some(expected), Some(defaults)) = (
        ctx.snapshot.expected_schema.data(),
        service.default_privileges.data(),
    ) else {
        return Vec::new();
    };
    let Some(applied) = ctx
        .snapshot
        .applied_migrations
        .data()
        .and_then(|a| a.known())
    else {
        return Vec::new();
    };
    if ctx.backend != Backend::Postgres
        || service.is_superuser()
        || expected.mode == ExpectationMode::Scratch
    {
        return Vec::new();
    }
    let Some(owner_table) = migrator(ctx, service) else {
        return Vec::new();
    };
    let Some(owner) = owner_table.owner.as_deref() else {
        return Vec::new();
    };
    if owner_table.owned || owner == service.role {
        return Vec::new();
    }
    let needed = needed_by_code(ctx);
    let mut out = Vec::new();
    for o in &expected.origins {
        if o.kind != ObjectKind::Table || o.action != "create" {
            continue;
        }
        if applied.status(o.version) == MigrationStatus::Applied
            || ctx.live.table(&o.schema, &o.table).is_some()
        {
            continue;
        }
        // A statement the replay skipped may grant (or change the default privileges).
        if expected.not_modelled.iter().any(|n| {
            n.version == o.version && {
                let w = n.statement.to_ascii_uppercase();
                w.starts_with("GRANT")
                    || w.starts_with("ALTER DEFAULT")
                    || w.starts_with("DO")
                    || w.starts_with("CALL")
            }
        }) {
            continue;
        }
        let wants = needed
            .get(&o.table)
            .cloned()
            .unwrap_or_else(|| vec![Privilege::Select]);
        let lacking: Vec<Privilege> = wants
            .into_iter()
            .filter(|p| {
                !defaults.iter().any(|d| {
                    d.applies && d.owner == owner && d.object_type == "table" && d.privilege == *p
                })
            })
            .collect();
        if lacking.is_empty() {
            continue;
        }
        let privs: Vec<&str> = lacking.iter().map(|p| p.sql()).collect();
        let who = grantee(ctx.backend, &service.role);
        let grant = format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON TABLES TO {who};",
            pg_ident(owner),
            pg_ident(&o.schema),
            privs.join(", ")
        );
        let f = Finding::new(
            FindingKind::PrivilegeMissing,
            Severity::Warning,
            actions::TABLES,
            format!(
                "{} (pending) creates table {}.{}, which the migrations' owner {owner} will own; \
                 no default privilege of {owner} gives the service role {} {} on it, and the \
                 migration grants none: once it runs, the service's statements on {} fail \
                 with \"permission denied for table {}\" (SQLSTATE 42501)",
                o.file,
                o.schema,
                o.table,
                service.role,
                privs.join(", "),
                o.table,
                o.table
            ),
        )
        .migration(o.version)
        .location(o.file.clone(), Some(o.line))
        .schema(o.schema.clone())
        .table(o.table.clone())
        .expected(privs.join(", "))
        .live(format!(
            "no default privilege of {owner} for {}",
            service.role
        ))
        .detail("role", service.role.clone())
        .detail("owner", owner.to_string())
        .detail("object", "pending table")
        .detail("privilege", privs.join(", "))
        .detail("grant", grant.clone())
        .detail("sqlstate", "42501")
        .next_step(format!(
            "before running {}: {grant} (or add GRANT {} ON {}.{} TO {who}; to the migration)",
            o.file,
            privs.join(", "),
            pg_ident(&o.schema),
            pg_ident(&o.table)
        ));
        out.push(f);
    }
    out
}
