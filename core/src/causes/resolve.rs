//! Resolving routes to cause keys: which migration (and in which state) explains an object,
//! then the second pass for findings that name only a column or a migration, and the
//! clean-up that keeps lone `info` findings from each becoming a cause.

use std::collections::{BTreeMap, BTreeSet};

use super::context::Ctx;
use super::route::{Aspect, Key, Obj, Route};
use crate::code::expected::ObjectKind;
use crate::finding::{FindingKind, Severity};
use crate::migrations::MigrationStatus;

/// Which migration statement last made a name what it is (or took it away).
enum Event {
    Made(i64),
    Removed(i64),
}

/// The last migration event for an object's name, in replay order.
fn last_event(ctx: &Ctx, obj: &Obj) -> Option<Event> {
    let e = ctx.expected?;
    let (kind, table, name) = match obj {
        Obj::Table(t) => (ObjectKind::Table, t.as_str(), None),
        Obj::Column(t, c) => (ObjectKind::Column, t.as_str(), Some(c.as_str())),
        Obj::Index(t, i) => (ObjectKind::Index, t.as_str(), Some(i.as_str())),
        Obj::Constraint(t, k) => (ObjectKind::Constraint, t.as_str(), Some(k.as_str())),
        Obj::Enum(n) => (ObjectKind::Enum, n.as_str(), None),
    };
    let same = |t: &str, n: Option<&str>| t.eq_ignore_ascii_case(table) && n == name;
    let mut events: Vec<((i64, u32, usize), Event)> = Vec::new();
    for (i, o) in e.origins.iter().enumerate() {
        let index_as_constraint = kind == ObjectKind::Index && o.kind == ObjectKind::Constraint;
        if (o.kind == kind || index_as_constraint) && same(&o.table, o.name.as_deref()) {
            events.push(((o.version, o.line, i), Event::Made(o.version)));
        }
    }
    for (i, r) in e.removals.iter().enumerate() {
        if r.kind == kind && same(&r.table, r.name.as_deref()) {
            events.push(((r.version, r.line, i), Event::Removed(r.version)));
        }
    }
    // A column of a table a migration dropped or renamed away is gone with its table.
    if let Obj::Column(t, _) = obj {
        for (i, r) in e.removals.iter().enumerate() {
            if r.kind == ObjectKind::Table && r.table.eq_ignore_ascii_case(t) {
                events.push(((r.version, r.line, i), Event::Removed(r.version)));
            }
        }
    }
    events.sort_by_key(|(k, _)| *k);
    events.pop().map(|(_, e)| e)
}

/// The key of a migration-made object by that migration's state. A table or column of an
/// edited migration is taken to be what the edit added (edits add what new code needs); an
/// index or constraint of it is drift like any other, since the snapshot cannot tell which
/// statements the applied version had.
fn by_status(ctx: &Ctx, v: i64, obj: Obj) -> Key {
    match ctx.status(v) {
        Some(MigrationStatus::Pending) => Key::Pending,
        Some(MigrationStatus::Failed) => Key::Failed(v),
        Some(MigrationStatus::Applied)
            if ctx.edited.contains(&v) && matches!(obj, Obj::Table(_) | Obj::Column(..)) =>
        {
            Key::Edited(v)
        }
        _ => Key::Object(obj),
    }
}

/// A missing object: the migration that should have made it, or the object itself.
fn missing(ctx: &Ctx, obj: Obj) -> Key {
    if ctx.hidden && matches!(obj, Obj::Table(_) | Obj::Column(..)) {
        // The search_path that hides the migrations table likely hides the tables too.
        return Key::Hidden;
    }
    match last_event(ctx, &obj) {
        Some(Event::Made(v)) => by_status(ctx, v, obj),
        Some(Event::Removed(v)) => Key::Removed(v),
        None => Key::Object(obj),
    }
}

/// An object that differs: the migration that last changed it when that one is not in
/// force, or the object itself.
fn differs(ctx: &Ctx, obj: Obj) -> Key {
    match last_event(ctx, &obj) {
        Some(Event::Made(v)) => by_status(ctx, v, obj),
        _ => Key::Object(obj),
    }
}

/// A live object nothing expects: the old name of a rename, or what a drop removes, when
/// that migration has not run; otherwise one info family.
fn unexpected(ctx: &Ctx, obj: Obj) -> Key {
    if let Some(Event::Removed(v)) = last_event(ctx, &obj) {
        match ctx.status(v) {
            Some(MigrationStatus::Pending) => return Key::Pending,
            Some(MigrationStatus::Failed) => return Key::Failed(v),
            _ => {}
        }
    }
    match obj {
        Obj::Table(_) => Key::Group("unexpected-tables"),
        _ => Key::Group("unexpected-columns"),
    }
}

/// The cause of migration `v`, by its state.
fn of_migration(ctx: &Ctx, v: i64) -> Option<Key> {
    if ctx.hidden {
        return Some(Key::Hidden);
    }
    match ctx.status(v)? {
        MigrationStatus::Pending => Some(Key::Pending),
        MigrationStatus::Failed => Some(Key::Failed(v)),
        MigrationStatus::Applied => {
            if ctx.edited.contains(&v) || ctx.reencoded.contains(&v) {
                Some(Key::Edited(v))
            } else if ctx.missing_locally.contains(&v) {
                Some(Key::MissingLocally(v))
            } else if ctx.not_timed.contains(&v) {
                Some(Key::NotTimed(v))
            } else {
                None
            }
        }
    }
}

/// One key per finding.
pub(super) fn resolve(ctx: &Ctx, routes: &[Route]) -> Vec<Key> {
    // First pass: everything that names its own object or migration.
    let mut keys: Vec<Option<Key>> = routes
        .iter()
        .enumerate()
        .map(|(i, r)| match r {
            Route::Key(k) => Some(k.clone()),
            Route::Missing(o) => Some(missing(ctx, o.clone())),
            Route::Differs(o) => Some(differs(ctx, o.clone())),
            Route::Unexpected(o) => Some(unexpected(ctx, o.clone())),
            Route::Migration(v) => Some(of_migration(ctx, *v).unwrap_or(Key::Own(i))),
            Route::Own => Some(Key::Own(i)),
            Route::Column { .. } | Route::Pending => None,
        })
        .collect();
    // Which keys hold a missing or differing column of each name.
    let mut by_column: BTreeMap<(String, bool), BTreeSet<Key>> = BTreeMap::new();
    for (r, k) in routes.iter().zip(&keys) {
        let (Some(k), Some((c, is_missing))) = (k, column_of(r)) else {
            continue;
        };
        by_column
            .entry((c.to_ascii_lowercase(), is_missing))
            .or_default()
            .insert(k.clone());
    }
    let present: BTreeSet<Key> = keys.iter().flatten().cloned().collect();
    for (i, r) in routes.iter().enumerate() {
        if keys[i].is_some() {
            continue;
        }
        keys[i] = Some(match r {
            Route::Column {
                column,
                aspect,
                field,
            } => column_only(ctx, &by_column, column, *aspect, field.as_ref(), i),
            Route::Pending => pending_or_failed(&present).unwrap_or(Key::Own(i)),
            _ => Key::Own(i),
        });
    }
    let mut keys: Vec<Key> = keys
        .into_iter()
        .map(|k| k.expect("every key set"))
        .collect();
    logs_alone(ctx, &mut keys);
    lone_infos(ctx, &mut keys);
    keys
}

/// Log lines alone never make an object's cause: the live database must show the problem
/// too (a schema finding, a rejected statement). Lines about an object that is fine now
/// (they predate a repair) are each a cause of their own, worded by the log rule.
fn logs_alone(ctx: &Ctx, keys: &mut [Key]) {
    let mut only_logs: BTreeMap<&Key, bool> = BTreeMap::new();
    for (k, f) in keys.iter().zip(ctx.findings) {
        let e = only_logs.entry(k).or_insert(true);
        *e &= f.kind == FindingKind::LogDatabaseError;
    }
    let alone: Vec<usize> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| matches!(k, Key::Object(_)) && only_logs.get(k) == Some(&true))
        .map(|(i, _)| i)
        .collect();
    for i in alone {
        keys[i] = Key::Own(i);
    }
}

/// (column, is it missing) of a route that names a column of a known table.
fn column_of(r: &Route) -> Option<(&str, bool)> {
    match r {
        Route::Missing(Obj::Column(_, c)) => Some((c, true)),
        Route::Differs(Obj::Column(_, c)) => Some((c, false)),
        _ => None,
    }
}

fn column_only(
    ctx: &Ctx,
    by_column: &BTreeMap<(String, bool), BTreeSet<Key>>,
    column: &str,
    aspect: Aspect,
    field: Option<&(String, String)>,
    index: usize,
) -> Key {
    let is_missing = aspect == Aspect::Missing;
    if let Some(set) = by_column.get(&(column.to_ascii_lowercase(), is_missing))
        && set.len() == 1
    {
        return set.iter().next().cloned().expect("one key");
    }
    if aspect == Aspect::Differs
        && let [t] = ctx.live_tables_with(column).as_slice()
    {
        return differs(ctx, Obj::Column(t.to_string(), column.to_string()));
    }
    match field {
        Some((target, f)) => Key::Field(target.clone(), f.clone()),
        None => Key::Own(index),
    }
}

/// The pending migrations' cause, else the first failed migration's.
fn pending_or_failed(present: &BTreeSet<Key>) -> Option<Key> {
    if present.contains(&Key::Pending) {
        return Some(Key::Pending);
    }
    present
        .iter()
        .find(|k| matches!(k, Key::Failed(_)))
        .cloned()
}

/// An `info` finding alone in its cause joins the other infos of its kind, so that "an Option
/// field over a NOT NULL column" does not become one cause per field.
fn lone_infos(ctx: &Ctx, keys: &mut [Key]) {
    let mut worst: BTreeMap<&Key, Severity> = BTreeMap::new();
    for (k, f) in keys.iter().zip(ctx.findings) {
        let w = worst.entry(k).or_insert(f.severity);
        *w = (*w).max(f.severity);
    }
    let regroup: Vec<usize> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| matches!(k, Key::Object(_) | Key::Own(_) | Key::Field(..)))
        .filter(|(_, k)| worst.get(k) == Some(&Severity::Info))
        .map(|(i, _)| i)
        .collect();
    for i in regroup {
        keys[i] = Key::Kind(ctx.findings[i].kind);
    }
}
