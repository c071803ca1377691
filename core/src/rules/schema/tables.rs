//! Tables: every table the migrations, gaps.md's ACTION-004 and the code expect must exist
//! (`table_missing`, naming the migration that creates it and its status, or the code and
//! registry entries that expect it); a live table nothing expects is `table_unexpected`
//! (info). Without a live schema, the code's tables are checked against the migrations.

use std::collections::BTreeMap;

use crate::actions;
use crate::code::expected::{ObjectKind, Origin};
use crate::finding::{Finding, FindingKind, Severity};
use crate::rules::static_sql;
use crate::schema::TableKind;

use super::context::{Ctx, Expectation, Out, checked_mapping, find_table, query_phrase};

/// How a gaps.md "Expected Tables" entry is named as an expectation.
const GAPS_MD_EXPECTATION: &str = "gaps.md ACTION-004";

impl Ctx<'_> {
    /// True when gaps.md is the only thing expecting a table, and the code and the migrations
    /// were both read (so "nothing else uses it" is known, not assumed).
    fn only_gaps_md(&self, exps: &[Expectation]) -> bool {
        self.code.is_some()
            && self.expected.is_some_and(|e| !e.migrations.is_empty())
            && !exps.is_empty()
            && exps.iter().all(|e| e.what == GAPS_MD_EXPECTATION)
    }

    /// Tables the code uses: the tables of every checked mapping (FromRow models, then
    /// hand-written FromRow impls) and the real tables of every query.
    fn code_tables(&self) -> Vec<(String, Expectation)> {
        let Some(code) = self.code else {
            return Vec::new();
        };
        let models = code
            .models
            .iter()
            .map(|m| (format!("model {}", m.name), &m.mapping, &m.file, m.line));
        let manual = code.manual_impls.iter().map(|m| {
            let what = format!("manual FromRow for {}", m.name);
            (what, &m.mapping, &m.file, m.line)
        });
        let mut out: Vec<(String, Expectation)> = models
            .chain(manual)
            .filter(|(_, mapping, _, _)| checked_mapping(mapping.source))
            .flat_map(|(what, mapping, file, line)| {
                mapping.tables.iter().map(move |t| {
                    let what = what.clone();
                    let file = file.clone();
                    (t.clone(), Expectation { what, file, line })
                })
            })
            .collect();
        for j in static_sql::judged(code, self.checks) {
            for t in j.tables() {
                out.push((
                    t.name.clone(),
                    Expectation {
                        what: query_phrase(&j.st.kind),
                        file: j.site.file.clone(),
                        line: j.line(),
                    },
                ));
            }
        }
        out
    }

    pub(super) fn tables(&self, out: &mut Out) {
        let mut expected: BTreeMap<String, Vec<Expectation>> = BTreeMap::new();
        let mut from_migrations: BTreeMap<String, &Origin> = BTreeMap::new();
        if let Some(e) = self.expected {
            for t in &e.schema.tables {
                if let Some(o) = e.created_by(ObjectKind::Table, &t.name, None) {
                    from_migrations.insert(t.name.clone(), o);
                }
                expected.entry(t.name.clone()).or_default();
            }
            for t in &e.gaps_md_tables {
                expected.entry(t.clone()).or_default().push(Expectation {
                    what: GAPS_MD_EXPECTATION.into(),
                    file: e.gaps_md_file.clone().unwrap_or_else(|| "gaps.md".into()),
                    line: 0,
                });
            }
        }
        for (t, ex) in self.code_tables() {
            expected.entry(t).or_default().push(ex);
        }
        match self.live {
            Some(live) => {
                for (name, exps) in &expected {
                    if find_table(live, name).is_some() {
                        continue;
                    }
                    let origin = from_migrations.get(name).copied();
                    let mut f = Finding::new(
                        FindingKind::TableMissing,
                        Severity::Error,
                        actions::TABLES,
                        String::new(),
                    )
                    .table(name.clone())
                    .expected("table exists")
                    .live("absent");
                    let users: Vec<String> = exps
                        .iter()
                        .map(|e| {
                            if e.line > 0 {
                                format!("{} ({}:{})", e.what, e.file, e.line)
                            } else {
                                format!("{} ({})", e.what, e.file)
                            }
                        })
                        .collect();
                    let message = match origin {
                        Some(o) => {
                            f = f
                                .migration(o.version)
                                .location(o.file.clone(), Some(o.line))
                                .next_step(self.next_step_for(o));
                            format!(
                                "table {name} does not exist; it is {}",
                                self.origin_phrase(o, "created")
                            )
                        }
                        None if self.only_gaps_md(exps) => {
                            // Nothing in the service uses it: a registry entry to correct, not
                            // a broken service.
                            f.severity = Severity::Warning;
                            if let Some(e) = exps.first() {
                                f = f.location(e.file.clone(), None);
                            }
                            f = f
                                .next_step(
                                    "remove it from gaps.md's Expected Tables, or add the migration \
                                     (and code) that should create and use it",
                                )
                                .detail("only_gaps_md", true);
                            format!(
                                "table {name} does not exist; only gaps.md lists it: no local \
                                 migration creates it and no code uses it"
                            )
                        }
                        None => {
                            if let Some(e) = exps.first() {
                                f = f.location(e.file.clone(), (e.line > 0).then_some(e.line));
                            }
                            f = f.next_step(
                                "add a migration that creates it, or fix the name the code uses",
                            );
                            format!("table {name} does not exist and no local migration creates it")
                        }
                    };
                    f.message = if users.is_empty() {
                        message
                    } else {
                        format!("{message}; expected by {}", users.join(", "))
                    };
                    out.push(f.detail("expected_by", users));
                }
                let has_expectations = self.expected.is_some() || self.code.is_some();
                if !has_expectations {
                    return;
                }
                let migrations_table = self
                    .applied
                    .map(|a| a.table.rsplit('.').next().unwrap_or("").to_string())
                    .unwrap_or_else(|| crate::migrations::DEFAULT_MIGRATIONS_TABLE.into());
                for t in &live.tables {
                    if t.kind != TableKind::Table
                        || !matches!(t.schema.as_str(), "public" | "main")
                        || t.name == migrations_table
                        || t.name == crate::migrations::DEFAULT_MIGRATIONS_TABLE
                        || t.name.starts_with("sqlite_")
                        || expected.contains_key(&t.name)
                    {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            FindingKind::TableUnexpected,
                            Severity::Info,
                            actions::TABLES,
                            format!(
                                "table {}.{} exists but no migration, gaps.md entry or code uses it",
                                t.schema, t.name
                            ),
                        )
                        .schema(t.schema.clone())
                        .table(t.name.clone()),
                    );
                }
            }
            None => {
                // No live schema: the code is checked against the migrations alone.
                let Some(e) = self.expected else { return };
                if e.migrations.is_empty() {
                    return;
                }
                let uncertain = !e.not_modelled.is_empty();
                for (t, ex) in self.code_tables() {
                    if find_table(&e.schema, &t).is_some() {
                        continue;
                    }
                    let mut msg = format!(
                        "{} ({}:{}) uses table {t}, which no local migration creates",
                        ex.what, ex.file, ex.line
                    );
                    if uncertain {
                        msg.push_str(" (some migration statements were not modelled)");
                    }
                    out.push(
                        Finding::new(
                            FindingKind::TableMissing,
                            if uncertain {
                                Severity::Warning
                            } else {
                                Severity::Error
                            },
                            actions::TABLES,
                            msg,
                        )
                        .table(t.clone())
                        .location(ex.file, Some(ex.line))
                        .expected("table created by a migration")
                        .live("not inspected; compared with the migrations"),
                    );
                }
            }
        }
    }
}
