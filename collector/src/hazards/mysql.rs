//! One MySQL/MariaDB migration file: DDL commits implicitly there, so a file of several
//! statements that fails part-way leaves the statements before the failure applied and the
//! migration dirty (sqlx records it as failed, and re-running it fails on what already
//! exists); and an ALTER TABLE that cannot run in place rebuilds the table (ALGORITHM=COPY:
//! writes wait for the whole copy). Read with sqlparser's MySQL dialect; a clause it cannot
//! read is judged by its keywords.

use gaps_core::backend::Backend;
use gaps_core::code::replay::MigrationSource;
use gaps_core::code::sql::{dialect, object_name, split_statements};
use gaps_core::hazards::{
    ChangeKind, Effect, Hazard, LockMode, PlanStatus, PlannedMigration, PlannedStatement,
    SchemaChange, TableLock,
};
use gaps_core::schema::{RelationName, Schema};
use sqlparser::ast::{AlterTableOperation, Statement, TableConstraint};
use sqlparser::parser::Parser;

/// The server, for which ALTER TABLE forms are instant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Server {
    /// MariaDB rather than MySQL.
    pub mariadb: bool,
    /// (major, minor, patch).
    pub version: (u32, u32, u32),
}

impl Server {
    /// Reads `SELECT VERSION()` text: `10.11.6-MariaDB-0+deb12u1`, `8.0.36`.
    pub fn parse(version: &str) -> Server {
        let mut nums = version
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().unwrap_or(0));
        Server {
            mariadb: version.to_ascii_lowercase().contains("mariadb"),
            version: (
                nums.next().unwrap_or(0),
                nums.next().unwrap_or(0),
                nums.next().unwrap_or(0),
            ),
        }
    }

    /// ADD COLUMN without a rebuild: MariaDB 10.3.2+ (instant), MySQL 8.0.29+ anywhere,
    /// 8.0.12+ as the last column.
    fn instant_add(self, positioned: bool) -> bool {
        if self.mariadb {
            self.version >= (10, 3, 2)
        } else if positioned {
            self.version >= (8, 0, 29)
        } else {
            self.version >= (8, 0, 12)
        }
    }

    /// DROP COLUMN without a rebuild: MariaDB 10.4+, MySQL 8.0.29+.
    fn instant_drop(self) -> bool {
        if self.mariadb {
            self.version >= (10, 4, 0)
        } else {
            self.version >= (8, 0, 29)
        }
    }
}

/// Reads one file into its plan, hazards included.
pub fn analyse(
    source: &MigrationSource,
    status: PlanStatus,
    server: Server,
    live: Option<&Schema>,
) -> PlannedMigration {
    let mut m = PlannedMigration {
        version: source.version,
        file: source.file.clone(),
        status,
        no_transaction: false,
        lock_timeout: None,
        statements: Vec::new(),
        not_analysed: Vec::new(),
    };
    let d = dialect(Backend::Mysql);
    let pieces = split_statements(&source.sql);
    for piece in &pieces {
        let mut st = PlannedStatement {
            line: piece.line,
            sql: cut(&piece.text),
            operation: leading(&piece.text),
            locks: Vec::new(),
            effect: Effect::Unknown,
            hazards: Vec::new(),
            changes: Vec::new(),
        };
        match Parser::parse_sql(d.as_ref(), &piece.text) {
            Ok(stmts) => {
                for s in &stmts {
                    statement(s, &mut st, server, live);
                }
            }
            Err(e) => {
                m.not_analysed.push(format!("line {}: {e}", piece.line));
                if rebuild_keywords(&piece.text) {
                    st.effect = Effect::Rewrite;
                    st.hazards.push(rebuild(None));
                }
            }
        }
        m.statements.push(st);
    }
    // DDL commits implicitly: a failure after the first DDL leaves it applied.
    let ddl: Vec<usize> = m
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| is_ddl(&s.operation))
        .map(|(i, _)| i)
        .collect();
    if m.statements.len() > 1
        && let Some(&first) = ddl.first()
        && first + 1 < m.statements.len()
    {
        let later: Vec<String> = m.statements[first + 1..]
            .iter()
            .map(|s| s.line.to_string())
            .collect();
        let st = &mut m.statements[first];
        st.hazards.push(Hazard {
            rule: "gaps:mysql-implicit-commit".into(),
            fails: false,
            sqlstate: None,
            message: format!(
                "commits implicitly (MySQL/MariaDB DDL is not transactional): if a later \
                 statement of this file fails (line {}), this one stays applied, sqlx records \
                 the migration as failed (Dirty) and running it again fails on what already \
                 exists",
                later.join(", ")
            ),
            safe: "one DDL statement per migration file, or statements that can run twice (IF \
                   NOT EXISTS / IF EXISTS), so a failed migration can be repaired and re-run"
                .into(),
            table: st.locks.first().map(|l| l.table.clone()),
        });
    }
    m
}

fn is_ddl(operation: &str) -> bool {
    ["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"]
        .iter()
        .any(|w| operation.starts_with(w))
}

fn cut(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{} ...", &text[..i]),
        None => text,
    }
}

fn leading(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--"))
        .flat_map(str::split_whitespace)
        .take(2)
        .map(str::to_uppercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keywords of ALTER TABLE forms that always rebuild the table.
fn rebuild_keywords(text: &str) -> bool {
    let upper = text.to_uppercase();
    upper.starts_with("ALTER")
        && ["CONVERT TO CHARACTER SET", "ENGINE", "FORCE", "ROW_FORMAT"]
            .iter()
            .any(|k| upper.contains(k))
}

fn rebuild(table: Option<RelationName>) -> Hazard {
    Hazard {
        rule: "gaps:mysql-table-rebuild".into(),
        fails: false,
        sqlstate: None,
        message: "rebuilds the table (it cannot run in place): writes wait for the whole copy, \
                  and the exclusive metadata lock at its start and end queues behind every open \
                  transaction on the table"
            .into(),
        safe: "add a new column and backfill it instead of changing a column in place, or run \
               it with an online schema change tool (gh-ost, pt-online-schema-change)"
            .into(),
        table,
    }
}

fn relation(name: &sqlparser::ast::ObjectName) -> RelationName {
    let (schema, name) = object_name(name);
    RelationName {
        schema: schema.unwrap_or_default(),
        name,
    }
}

fn statement(s: &Statement, st: &mut PlannedStatement, server: Server, live: Option<&Schema>) {
    match s {
        Statement::AlterTable(at) => {
            let table = relation(&at.name);
            let mut effect = Effect::Metadata;
            let mut rebuilds = false;
            for op in &at.operations {
                match op {
                    AlterTableOperation::AddColumn {
                        column_def,
                        column_position,
                        ..
                    } => {
                        st.changes.push(change(
                            ChangeKind::AddColumn,
                            &table,
                            Some(column_def.name.value.clone()),
                            None,
                        ));
                        rebuilds |= !server.instant_add(column_position.is_some());
                    }
                    AlterTableOperation::DropColumn { column_names, .. } => {
                        for c in column_names {
                            st.changes.push(change(
                                ChangeKind::DropColumn,
                                &table,
                                Some(c.value.clone()),
                                None,
                            ));
                        }
                        rebuilds |= !server.instant_drop();
                    }
                    AlterTableOperation::RenameColumn {
                        old_column_name,
                        new_column_name,
                    } => st.changes.push(change(
                        ChangeKind::RenameColumn,
                        &table,
                        Some(old_column_name.value.clone()),
                        Some(new_column_name.value.clone()),
                    )),
                    AlterTableOperation::ModifyColumn {
                        col_name,
                        data_type,
                        ..
                    } => {
                        st.changes.push(change(
                            ChangeKind::AlterType,
                            &table,
                            Some(col_name.value.clone()),
                            None,
                        ));
                        rebuilds |= !same_or_wider(live, &table, &col_name.value, data_type);
                    }
                    AlterTableOperation::ChangeColumn {
                        old_name,
                        new_name,
                        data_type,
                        ..
                    } => {
                        if old_name.value != new_name.value {
                            st.changes.push(change(
                                ChangeKind::RenameColumn,
                                &table,
                                Some(old_name.value.clone()),
                                Some(new_name.value.clone()),
                            ));
                        }
                        rebuilds |= !same_or_wider(live, &table, &old_name.value, data_type);
                    }
                    AlterTableOperation::AddConstraint { constraint, .. } => match constraint {
                        TableConstraint::PrimaryKey(_) => rebuilds = true,
                        TableConstraint::Index(_)
                        | TableConstraint::Unique(_)
                        | TableConstraint::FulltextOrSpatial(_) => {
                            effect = effect.max(Effect::IndexBuild)
                        }
                        TableConstraint::ForeignKey(_) => effect = effect.max(Effect::Scan),
                        _ => {}
                    },
                    AlterTableOperation::DropPrimaryKey { .. } => rebuilds = true,
                    AlterTableOperation::RenameTable { .. } => {
                        st.changes
                            .push(change(ChangeKind::RenameTable, &table, None, None))
                    }
                    _ => {}
                }
            }
            if rebuilds || rebuild_keywords(&s.to_string()) {
                effect = Effect::Rewrite;
                st.hazards.push(rebuild(Some(table.clone())));
            }
            // A rebuild holds a lock that lets reads through and stops writes for the copy;
            // an in-place change needs the exclusive metadata lock only at its start and end.
            let mode = if effect == Effect::Rewrite {
                LockMode::Share
            } else {
                LockMode::AccessExclusive
            };
            st.locks.push(TableLock { table, mode });
            st.effect = effect;
        }
        Statement::CreateIndex(ci) => {
            st.locks.push(TableLock {
                table: relation(&ci.table_name),
                mode: LockMode::AccessExclusive,
            });
            st.effect = Effect::IndexBuild;
        }
        Statement::Drop { names, .. } => {
            for n in names {
                let table = relation(n);
                st.changes
                    .push(change(ChangeKind::DropTable, &table, None, None));
                st.locks.push(TableLock {
                    table,
                    mode: LockMode::AccessExclusive,
                });
            }
            st.effect = Effect::Metadata;
        }
        Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
            st.effect = Effect::Data;
        }
        Statement::CreateTable(_) | Statement::CreateView(_) => st.effect = Effect::Metadata,
        _ => st.effect = Effect::Unknown,
    }
}

fn change(
    kind: ChangeKind,
    table: &RelationName,
    column: Option<String>,
    new_name: Option<String>,
) -> SchemaChange {
    SchemaChange {
        kind,
        table: table.clone(),
        column,
        new_name,
    }
}

/// Whether the new type is the column's live type, or a wider VARCHAR (in place while the
/// length bytes stay the same; gaps does not claim a rebuild there).
fn same_or_wider(
    live: Option<&Schema>,
    table: &RelationName,
    column: &str,
    to: &sqlparser::ast::DataType,
) -> bool {
    let Some(col) = live.and_then(|s| {
        s.tables
            .iter()
            .filter(|t| t.name.eq_ignore_ascii_case(&table.name))
            .filter(|t| table.schema.is_empty() || t.schema.eq_ignore_ascii_case(&table.schema))
            .flat_map(|t| t.columns.iter())
            .find(|c| c.name.eq_ignore_ascii_case(column))
    }) else {
        return false;
    };
    let from = col.data_type.to_lowercase().replace(' ', "");
    let to = to.to_string().to_lowercase().replace(' ', "");
    let width =
        |t: &str| -> Option<u32> { t.strip_prefix("varchar(")?.strip_suffix(')')?.parse().ok() };
    from == to || matches!((width(&from), width(&to)), (Some(a), Some(b)) if b >= a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(sql: &str) -> MigrationSource {
        MigrationSource {
            version: 7,
            file: "0007_x.sql".into(),
            sql: sql.into(),
        }
    }

    #[test]
    fn versions_decide_which_alter_forms_are_instant() {
        let maria = Server::parse("10.11.6-MariaDB-0+deb12u1");
        assert!(maria.mariadb && maria.instant_add(true) && maria.instant_drop());
        let old = Server::parse("8.0.20");
        assert!(!old.mariadb && old.instant_add(false) && !old.instant_add(true));
        assert!(!old.instant_drop());
    }

    #[test]
    fn a_file_of_several_statements_with_ddl_is_flagged_once() {
        let m = analyse(
            &source("CREATE TABLE a (id int);\nALTER TABLE b ADD COLUMN x int;\n"),
            PlanStatus::Pending,
            Server::parse("10.11.6-MariaDB"),
            None,
        );
        let flagged: Vec<u32> = m
            .statements
            .iter()
            .filter(|s| {
                s.hazards
                    .iter()
                    .any(|h| h.rule == "gaps:mysql-implicit-commit")
            })
            .map(|s| s.line)
            .collect();
        assert_eq!(flagged, vec![1]);
        // Must not report: one statement per file.
        let one = analyse(
            &source("ALTER TABLE b ADD COLUMN x int;"),
            PlanStatus::Pending,
            Server::parse("10.11.6-MariaDB"),
            None,
        );
        assert!(
            one.statements.iter().all(|s| s.hazards.is_empty()),
            "{one:?}"
        );
    }

    #[test]
    fn rebuilds_are_told_from_in_place_changes() {
        let m = analyse(
            &source(
                "ALTER TABLE t MODIFY COLUMN n BIGINT;\n\
                 ALTER TABLE t ADD COLUMN note VARCHAR(20);\n\
                 ALTER TABLE t ADD PRIMARY KEY (id);\n\
                 ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;",
            ),
            PlanStatus::Pending,
            Server::parse("10.11.6-MariaDB"),
            None,
        );
        let rebuilds: Vec<u32> = m
            .statements
            .iter()
            .filter(|s| {
                s.hazards
                    .iter()
                    .any(|h| h.rule == "gaps:mysql-table-rebuild")
            })
            .map(|s| s.line)
            .collect();
        assert_eq!(rebuilds, vec![1, 3, 4]);
        assert_eq!(m.statements[1].effect, Effect::Metadata);
        // Before MariaDB 10.3.2 an added column rebuilds too.
        let old = analyse(
            &source("ALTER TABLE t ADD COLUMN note VARCHAR(20)"),
            PlanStatus::Pending,
            Server::parse("10.1.48-MariaDB"),
            None,
        );
        assert_eq!(old.statements[0].effect, Effect::Rewrite);
    }
}
