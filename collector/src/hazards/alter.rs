//! `ALTER TABLE` action by action: the lock each action needs (the statement takes the
//! strongest), what it does to the data, and the schema changes. From the Postgres
//! documentation of ALTER TABLE: most forms take ACCESS EXCLUSIVE; ADD FOREIGN KEY takes SHARE
//! ROW EXCLUSIVE on both tables; VALIDATE CONSTRAINT, SET STATISTICS and storage parameters
//! take SHARE UPDATE EXCLUSIVE; triggers SHARE ROW EXCLUSIVE.

use gaps_core::hazards::{ChangeKind, Effect, LockMode};
use gaps_core::schema::RelationName;
use squawk_syntax::{SyntaxKind as K, SyntaxNode};

use super::cst::{self, child, compact, has_token, relation};
use super::shape::{Facts, Shape};

/// Fills `s` and `f` for one `ALTER TABLE` statement.
pub(super) fn alter_table(stmt: &SyntaxNode, s: &mut Shape, f: &mut Facts) {
    let Some(table) = child(stmt, K::TABLE_RELATION_NAME).map(|t| relation(&t)) else {
        s.operation = "ALTER TABLE".into();
        s.effect(Effect::Unknown);
        return;
    };
    let mut labels: Vec<&'static str> = Vec::new();
    for action in stmt
        .children()
        .filter(|c| !matches!(c.kind(), K::TABLE_RELATION_NAME | K::IF_EXISTS))
    {
        let label = action_shape(&action, &table, s, f);
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    s.operation = if labels.is_empty() {
        "ALTER TABLE".into()
    } else {
        format!("ALTER TABLE ... {}", labels.join(", "))
    };
    if s.effect.is_none() {
        s.effect(Effect::Metadata);
    }
}

/// One action; returns its label.
fn action_shape(
    action: &SyntaxNode,
    table: &RelationName,
    s: &mut Shape,
    f: &mut Facts,
) -> &'static str {
    let exclusive = |s: &mut Shape, effect: Effect| {
        s.lock(table.clone(), LockMode::AccessExclusive);
        s.effect(effect);
    };
    match action.kind() {
        K::ADD_COLUMN => {
            let column = child(action, K::COLUMN_NAME)
                .map(|c| cst::name(&c))
                .unwrap_or_default();
            s.change(ChangeKind::AddColumn, table, Some(column.clone()), None);
            exclusive(s, Effect::Metadata);
            let ty = action
                .children()
                .find(|c| format!("{:?}", c.kind()).ends_with("_TYPE"))
                .map(|t| compact(&t).to_lowercase())
                .unwrap_or_default();
            let has = |k: K| cst::descendant(action, k).is_some();
            // serial fills every row from a sequence, identity and stored generated columns
            // compute a value for every row: the table is rewritten (a plain DEFAULT is left
            // to squawk's rule, which knows which functions are volatile).
            if matches!(ty.as_str(), "serial" | "bigserial" | "smallserial")
                || has(K::GENERATED_IDENTITY)
                || has(K::GENERATED_STORED)
            {
                s.effect(Effect::Rewrite);
            }
            if has(K::NOT_NULL_CONSTRAINT)
                && !has(K::DEFAULT_CONSTRAINT)
                && !has(K::GENERATED_CONSTRAINT)
                && !ty.ends_with("serial")
            {
                f.required_columns.push((table.clone(), column));
            }
            if has(K::PRIMARY_KEY_CONSTRAINT) || has(K::UNIQUE_CONSTRAINT) {
                s.effect(Effect::IndexBuild);
            }
            if let Some(r) = cst::descendant(action, K::REFERENCES_CONSTRAINT)
                && let Some(t) = child(&r, K::TABLE_NAME_REF)
            {
                s.lock(relation(&t), LockMode::ShareRowExclusive);
            }
            "ADD COLUMN"
        }
        K::ALTER_COLUMN => {
            let column = child(action, K::COLUMN_NAME_REF)
                .map(|c| cst::name(&c))
                .unwrap_or_default();
            let option = action.children().find(|c| c.kind() != K::COLUMN_NAME_REF);
            match option.as_ref().map(SyntaxNode::kind) {
                Some(K::SET_TYPE) => {
                    let opt = option.as_ref().expect("matched");
                    let ty = opt
                        .children()
                        .find(|c| !matches!(c.kind(), K::USING_EXPR | K::COLLATE))
                        .map(|t| compact(&t))
                        .unwrap_or_default();
                    let using = child(opt, K::USING_EXPR).is_some();
                    f.type_changes
                        .push((table.clone(), column.clone(), ty, using));
                    s.change(ChangeKind::AlterType, table, Some(column), None);
                    exclusive(s, Effect::Rewrite);
                    "ALTER COLUMN TYPE"
                }
                Some(K::SET_NOT_NULL) => {
                    f.set_not_null.push((table.clone(), column));
                    exclusive(s, Effect::Scan);
                    "SET NOT NULL"
                }
                Some(K::DROP_NOT_NULL) => {
                    exclusive(s, Effect::Metadata);
                    "DROP NOT NULL"
                }
                Some(K::SET_DEFAULT) => {
                    exclusive(s, Effect::Metadata);
                    "SET DEFAULT"
                }
                Some(K::DROP_DEFAULT) => {
                    exclusive(s, Effect::Metadata);
                    "DROP DEFAULT"
                }
                Some(K::SET_OPTIONS_LIST) | Some(K::SET_STATISTICS) => {
                    s.lock(table.clone(), LockMode::ShareUpdateExclusive);
                    s.effect(Effect::Metadata);
                    "ALTER COLUMN SET"
                }
                _ => {
                    exclusive(s, Effect::Metadata);
                    "ALTER COLUMN"
                }
            }
        }
        K::DROP_COLUMN => {
            let column = child(action, K::COLUMN_NAME_REF).map(|c| cst::name(&c));
            s.change(ChangeKind::DropColumn, table, column, None);
            exclusive(s, Effect::Metadata);
            "DROP COLUMN"
        }
        K::RENAME_COLUMN => {
            let old = child(action, K::COLUMN_NAME_REF).map(|c| cst::name(&c));
            let new = child(action, K::COLUMN_NAME).map(|c| cst::name(&c));
            s.change(ChangeKind::RenameColumn, table, old, new);
            exclusive(s, Effect::Metadata);
            "RENAME COLUMN"
        }
        K::TABLE_RENAME_TO => {
            let new = child(action, K::TABLE_NAME).map(|t| relation(&t).name);
            s.change(ChangeKind::RenameTable, table, None, new);
            exclusive(s, Effect::Metadata);
            "RENAME TO"
        }
        K::ADD_CONSTRAINT => add_constraint(action, table, s, f),
        K::VALIDATE_CONSTRAINT => {
            if let Some(name) = child(action, K::CONSTRAINT_NAME_REF) {
                let name = cst::segments(&name).pop().unwrap_or_default();
                f.validates.push((table.clone(), name));
            }
            s.lock(table.clone(), LockMode::ShareUpdateExclusive);
            s.effect(Effect::Scan);
            "VALIDATE CONSTRAINT"
        }
        K::DROP_CONSTRAINT => {
            exclusive(s, Effect::Metadata);
            "DROP CONSTRAINT"
        }
        K::SET_LOGGED | K::SET_UNLOGGED | K::SET_TABLESPACE => {
            exclusive(s, Effect::Rewrite);
            match action.kind() {
                K::SET_LOGGED => "SET LOGGED",
                K::SET_UNLOGGED => "SET UNLOGGED",
                _ => "SET TABLESPACE",
            }
        }
        K::ENABLE_TRIGGER
        | K::DISABLE_TRIGGER
        | K::ENABLE_ALWAYS_TRIGGER
        | K::ENABLE_REPLICA_TRIGGER => {
            s.lock(table.clone(), LockMode::ShareRowExclusive);
            s.effect(Effect::Metadata);
            "TRIGGER"
        }
        K::SET_OPTIONS | K::RESET_OPTIONS => {
            s.lock(table.clone(), LockMode::ShareUpdateExclusive);
            s.effect(Effect::Metadata);
            "SET (storage parameters)"
        }
        _ => {
            exclusive(s, Effect::Metadata);
            "other"
        }
    }
}

/// `ADD [CONSTRAINT name] ...`.
fn add_constraint(
    action: &SyntaxNode,
    table: &RelationName,
    s: &mut Shape,
    f: &mut Facts,
) -> &'static str {
    let Some(c) = action.children().next() else {
        s.lock(table.clone(), LockMode::AccessExclusive);
        return "ADD CONSTRAINT";
    };
    let not_valid = child(&c, K::NOT_VALID).is_some() || has_token(&c, K::VALID_KW);
    let name = child(&c, K::CONSTRAINT_NAME_CLAUSE)
        .and_then(|n| child(&n, K::CONSTRAINT_NAME))
        .map(|n| cst::name(&n));
    match c.kind() {
        K::FOREIGN_KEY_CONSTRAINT => {
            s.lock(table.clone(), LockMode::ShareRowExclusive);
            if let Some(t) = child(&c, K::TABLE_NAME_REF) {
                s.lock(relation(&t), LockMode::ShareRowExclusive);
            }
            s.effect(if not_valid {
                Effect::Metadata
            } else {
                Effect::Scan
            });
            "ADD FOREIGN KEY"
        }
        K::CHECK_CONSTRAINT => {
            s.lock(table.clone(), LockMode::AccessExclusive);
            s.effect(if not_valid {
                Effect::Metadata
            } else {
                Effect::Scan
            });
            if let Some(column) = not_null_check_column(&c) {
                f.not_null_checks.push((
                    table.clone(),
                    column,
                    name.unwrap_or_default(),
                    not_valid,
                ));
            }
            "ADD CHECK"
        }
        K::PRIMARY_KEY_CONSTRAINT | K::UNIQUE_CONSTRAINT => {
            s.lock(table.clone(), LockMode::AccessExclusive);
            let using_index = cst::descendant(&c, K::USING_INDEX_NAME).is_some()
                || cst::descendant(&c, K::USING_INDEX).is_some();
            s.effect(if using_index {
                Effect::Metadata
            } else {
                Effect::IndexBuild
            });
            if c.kind() == K::PRIMARY_KEY_CONSTRAINT {
                "ADD PRIMARY KEY"
            } else {
                "ADD UNIQUE"
            }
        }
        K::EXCLUDE_CONSTRAINT => {
            s.lock(table.clone(), LockMode::AccessExclusive);
            s.effect(Effect::IndexBuild);
            "ADD EXCLUDE"
        }
        K::NOT_NULL_CONSTRAINT => {
            s.lock(table.clone(), LockMode::AccessExclusive);
            s.effect(Effect::Scan);
            "ADD NOT NULL"
        }
        _ => {
            s.lock(table.clone(), LockMode::AccessExclusive);
            s.effect(Effect::Metadata);
            "ADD CONSTRAINT"
        }
    }
}

/// The column of a `CHECK (col IS NOT NULL)` constraint.
fn not_null_check_column(check: &SyntaxNode) -> Option<String> {
    let expr = check
        .children()
        .find(|c| !matches!(c.kind(), K::CONSTRAINT_NAME_CLAUSE | K::NOT_VALID))?;
    let text = compact(&expr);
    let inner = text.trim().trim_start_matches('(').trim_end_matches(')');
    let upper = inner.to_uppercase();
    let column = upper.strip_suffix(" IS NOT NULL")?;
    let column = &inner[..column.len()];
    (!column.contains(' ')).then(|| cst::fold(column.trim()))
}
