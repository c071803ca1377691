//! The schema section: expected against live tables, the tables with findings column by
//! column, the coverage numbers and chart, and the names of the tables without a problem.

use std::collections::{BTreeMap, BTreeSet};

use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use super::findings::{FindingView, finding_view};
use crate::charts;
use crate::status::{self, Expectations, SectionRef};

/// Above this many live tables without a problem, the compact list is cut (the count stays).
pub const OK_TABLE_NAMES_LIMIT: usize = 20_000;

/// At most this many tables with findings are shown unfolded (those with an error first); the
/// others are folded `<details>` whose summary still names the table and its finding count.
/// A browser parses and lays out every open table: hundreds of them kept a large report from
/// showing for most of a second, and nobody reads past the first screens of open tables anyway.
pub const OPEN_PROBLEM_TABLES: usize = 20;

/// One column row of a table with differences.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnRow {
    /// Column name.
    pub name: String,
    /// What the code or migrations expect.
    pub expected: Option<String>,
    /// Live type (and NOT NULL).
    pub live: Option<String>,
    /// ok / missing / unexpected / type / nullability.
    pub status: String,
    /// Symbol.
    pub icon: String,
    /// Text.
    pub status_text: String,
}

/// A table with at least one finding.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// "public.users".
    pub name: String,
    /// Anchor.
    pub anchor: String,
    /// Table / view...
    pub kind: String,
    /// True when the table exists live.
    pub live: bool,
    /// Columns.
    pub columns: Vec<ColumnRow>,
    /// Its findings.
    pub findings: Vec<FindingView>,
    /// Shown unfolded ([`OPEN_PROBLEM_TABLES`]).
    pub open: bool,
}

/// Expected vs live schema.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaView {
    /// schema / expected_schema / code statuses.
    pub sections: Vec<SectionRef>,
    /// True when the live schema was collected.
    pub collected: bool,
    /// Number of live relations.
    pub live_tables: usize,
    /// Coverage numbers, when an expectation exists.
    pub coverage: Option<Coverage>,
    /// The coverage chart.
    pub chart_svg: Option<String>,
    /// Tables the evidence says should exist but do not.
    pub missing_tables: Vec<MissingTable>,
    /// Live tables nobody expects.
    pub unexpected_tables: Vec<String>,
    /// Tables with findings, in detail.
    pub problem_tables: Vec<TableView>,
    /// How many of them are open (at most [`OPEN_PROBLEM_TABLES`]).
    pub open_tables: usize,
    /// How many of them are folded.
    pub folded_tables: usize,
    /// Live tables without findings (names only).
    pub ok_tables: Vec<String>,
    /// How many live tables have no finding.
    pub ok_count: usize,
    /// True when `ok_tables` was cut at [`OK_TABLE_NAMES_LIMIT`].
    pub ok_truncated: bool,
}

/// Present / missing / unexpected.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Expected tables present.
    pub present: usize,
    /// Expected tables missing.
    pub missing: usize,
    /// Live tables not expected.
    pub unexpected: usize,
    /// Expected in total.
    pub expected: usize,
}

/// A missing table and who expects it.
#[derive(Debug, Clone, Serialize)]
pub struct MissingTable {
    /// Table name.
    pub name: String,
    /// "gaps.md ACTION-004", "code: src/habits.rs:12"...
    pub expected_by: String,
}

fn column_kind(k: FindingKind) -> Option<(&'static str, &'static str)> {
    match k {
        FindingKind::ColumnMissing => Some(("missing", "✖")),
        FindingKind::ColumnUnexpected => Some(("unexpected", "＋")),
        FindingKind::ColumnTypeMismatch => Some(("type", "≠")),
        FindingKind::ColumnNullabilityMismatch => Some(("nullability", "≠")),
        FindingKind::DefaultMismatch => Some(("default", "≠")),
        _ => None,
    }
}

pub(crate) fn schema_view(s: &Snapshot, findings: &[Finding], exp: &Expectations) -> SchemaView {
    let sections = vec![
        status::section_ref(s, "schema"),
        status::section_ref(s, "expected_schema"),
        status::section_ref(s, "code"),
    ];
    let schema = s.schema.data();
    let table_findings: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.table.is_some() && f.kind != FindingKind::EvidenceUnavailable)
        .collect();
    let live_names: BTreeSet<&str> = schema
        .map(|sc| sc.tables.iter().map(|t| t.name.as_str()).collect())
        .unwrap_or_default();
    let mut by_table: BTreeMap<(String, String), Vec<&Finding>> = BTreeMap::new();
    for f in &table_findings {
        let t = f.table.clone().unwrap_or_default();
        let sc = f.schema.clone().unwrap_or_default();
        by_table.entry((sc, t)).or_default().push(f);
    }
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    for t in &exp.expected_tables {
        if schema.is_some() && !live_names.contains(t.as_str()) {
            missing.insert(t.clone(), "gaps.md ACTION-004 Expected Tables".into());
        }
    }
    let mut unexpected = Vec::new();
    let mut problem_tables = Vec::new();
    let mut has_error = Vec::new();
    for ((sc, t), fs) in &by_table {
        let live_table = schema.and_then(|scm| {
            scm.tables
                .iter()
                .find(|x| x.name == *t && (sc.is_empty() || x.schema == *sc))
        });
        if fs.iter().any(|f| f.kind == FindingKind::TableMissing) {
            let who = fs
                .iter()
                .find(|f| f.kind == FindingKind::TableMissing)
                .and_then(|f| f.location_text())
                .unwrap_or_else(|| "the code or migrations".into());
            missing
                .entry(t.clone())
                .and_modify(|w| w.push_str(&format!("; {who}")))
                .or_insert(who);
        }
        if fs.iter().any(|f| f.kind == FindingKind::TableUnexpected) {
            unexpected.push(t.clone());
        }
        let mut columns: Vec<ColumnRow> = Vec::new();
        if let Some(lt) = live_table {
            for c in &lt.columns {
                let live = format!(
                    "{}{}",
                    c.data_type,
                    if c.nullable { "" } else { " NOT NULL" }
                );
                // A default mismatch is shown only when nothing worse is wrong with the column.
                let about = |f: &&&Finding| {
                    f.column.as_deref() == Some(c.name.as_str()) && column_kind(f.kind).is_some()
                };
                let problem = fs
                    .iter()
                    .filter(about)
                    .find(|f| f.kind != FindingKind::DefaultMismatch)
                    .or_else(|| fs.iter().find(about));
                columns.push(
                    match problem.and_then(|f| column_kind(f.kind).map(|k| (f, k))) {
                        Some((f, (st, icon))) => ColumnRow {
                            name: c.name.clone(),
                            expected: f.expected.clone(),
                            live: Some(live),
                            status: st.into(),
                            icon: icon.into(),
                            status_text: column_text(st, f),
                        },
                        None => ColumnRow {
                            name: c.name.clone(),
                            expected: None,
                            live: Some(live),
                            status: "ok".into(),
                            icon: "✔".into(),
                            status_text: "matches".into(),
                        },
                    },
                );
            }
        }
        for f in fs.iter().filter(|f| f.kind == FindingKind::ColumnMissing) {
            let name = f.column.clone().unwrap_or_default();
            if columns.iter().any(|c| c.name == name) {
                continue;
            }
            columns.push(ColumnRow {
                name,
                expected: f.expected.clone(),
                live: None,
                status: "missing".into(),
                icon: "✖".into(),
                status_text: column_text("missing", f),
            });
        }
        let label = if sc.is_empty() {
            t.clone()
        } else {
            format!("{sc}.{t}")
        };
        problem_tables.push(TableView {
            anchor: format!("table-{}", crate::markdown::slug(&label)),
            name: label,
            kind: live_table
                .map(|lt| format!("{:?}", lt.kind).to_lowercase())
                .unwrap_or_else(|| "absent".into()),
            live: live_table.is_some(),
            columns,
            findings: fs.iter().map(|f| finding_view(f)).collect(),
            open: false,
        });
        has_error.push(fs.iter().any(|f| f.severity == Severity::Error));
    }
    let folded_tables = unfold_first(&mut problem_tables, &has_error);
    let open_tables = problem_tables.len() - folded_tables;
    let problem_names: BTreeSet<&str> = by_table.keys().map(|(_, t)| t.as_str()).collect();
    let ok: Vec<String> = schema
        .map(|sc| {
            sc.tables
                .iter()
                .filter(|t| !problem_names.contains(t.name.as_str()))
                .map(|t| {
                    if sc.schemas.len() > 1 {
                        format!("{}.{}", t.schema, t.name)
                    } else {
                        t.name.clone()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let ok_count = ok.len();
    let ok_truncated = ok_count > OK_TABLE_NAMES_LIMIT;
    let expected_total: BTreeSet<&str> = exp
        .expected_tables
        .iter()
        .map(String::as_str)
        .chain(missing.keys().map(String::as_str))
        .collect();
    let coverage = (schema.is_some() && !expected_total.is_empty()).then(|| Coverage {
        present: expected_total.len() - missing.len(),
        missing: missing.len(),
        unexpected: unexpected.len(),
        expected: expected_total.len(),
    });
    let chart_svg = coverage
        .as_ref()
        .and_then(|c| charts::schema_coverage(c.present, c.missing, c.unexpected).ok());
    SchemaView {
        sections,
        collected: schema.is_some(),
        live_tables: schema.map(|sc| sc.tables.len()).unwrap_or(0),
        coverage,
        chart_svg,
        missing_tables: missing
            .into_iter()
            .map(|(name, expected_by)| MissingTable { name, expected_by })
            .collect(),
        unexpected_tables: unexpected,
        problem_tables,
        open_tables,
        folded_tables,
        ok_tables: ok.into_iter().take(OK_TABLE_NAMES_LIMIT).collect(),
        ok_count,
        ok_truncated,
    }
}

/// Opens [`OPEN_PROBLEM_TABLES`] of `tables` (in their order, those with an error first) and
/// returns how many stay folded.
fn unfold_first(tables: &mut [TableView], has_error: &[bool]) -> usize {
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&i| !has_error[i]);
    for &i in order.iter().take(OPEN_PROBLEM_TABLES) {
        tables[i].open = true;
    }
    tables.len().saturating_sub(OPEN_PROBLEM_TABLES)
}

fn column_text(status: &str, f: &Finding) -> String {
    match status {
        "missing" => format!(
            "missing in the live database{}",
            f.expected
                .as_deref()
                .map(|e| format!(" (expected {e})"))
                .unwrap_or_default()
        ),
        "unexpected" => "not expected by the code or migrations".into(),
        "type" => format!(
            "type mismatch: expected {}, live {}",
            f.expected.as_deref().unwrap_or("?"),
            f.live.as_deref().unwrap_or("?")
        ),
        "default" => format!(
            "default mismatch: expected {}, live {}",
            f.expected.as_deref().unwrap_or("?"),
            f.live.as_deref().unwrap_or("?")
        ),
        _ => format!(
            "nullability mismatch: expected {}, live {}",
            f.expected.as_deref().unwrap_or("?"),
            f.live.as_deref().unwrap_or("?")
        ),
    }
}

trait LocationText {
    fn location_text(&self) -> Option<String>;
}

impl LocationText for Finding {
    fn location_text(&self) -> Option<String> {
        self.file.as_ref().map(|file| match self.line {
            Some(l) => format!("{file}:{l}"),
            None => file.clone(),
        })
    }
}
