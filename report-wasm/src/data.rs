//! Reading the page's embedded data, `{"snapshots":[...], "findings":[[...], ...]}`, with
//! messages that say what is wrong and where.
//!
//! Only the parts the viewer shows are read (target, collection time, live and expected schema,
//! migrations table, and of each finding what identifies and describes it): everything else is
//! skipped unread, which keeps the module within its size budget however much evidence later
//! versions add. The reader is [`crate::json`], not serde: this module is the viewer's input
//! model, mapping the snapshot format's field names onto gaps-core's types, and it is tested
//! against snapshots serialised by gaps-core itself. Absent fields take their defaults; a field
//! of the wrong type is an error naming its line and column.
//!
//! An expected table the page writes as the position of an equal live table is not copied:
//! the snapshot holds a placeholder with its schema, name and kind, and
//! [`PageData::same_as_live`] says which live table it is (the comparison takes that one,
//! `gaps_core::diff::LazyDiff::expected_vs_live_sharing`); [`PageData::materialized`] gives the
//! snapshots with those tables copied in.
//!
//! Findings are not re-derived in the page: the report embeds each snapshot's findings
//! (`gaps_core::rules::analyse`) in `findings`, in snapshot order; without them the viewer says
//! so.

use gaps_core::Section;
use gaps_core::backend::Backend;
use gaps_core::code::ExpectedSchema;
use gaps_core::code::expected::{ExpectationMode, ReplayedMigration};
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::migrations::{AppliedMigration, AppliedMigrations};
use gaps_core::schema::{
    CheckConstraint, Column, ForeignKey, Index, KeyConstraint, Schema, Table, TableKind,
};
use gaps_core::section::SectionError;
use gaps_core::snapshot::{FORMAT_VERSION, Snapshot, Target};

use crate::json::{Error, R, Reader, line_column};

/// Why the embedded data cannot be shown.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DataError {
    /// Not JSON, or not the expected shape.
    #[error("the embedded report data is not valid at line {line}, column {column}: {message}")]
    Invalid {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the reader said.
        message: String,
    },
    /// A snapshot from a newer gaps.
    #[error(
        "snapshot {index} has format_version {found}, newer than this viewer understands (up to {FORMAT_VERSION})"
    )]
    TooNew {
        /// 0-based position in the list.
        index: usize,
        /// Its version.
        found: u32,
    },
    /// `snapshots` is empty.
    #[error("the embedded report data holds no snapshots")]
    Empty,
    /// `findings` does not have one list per snapshot.
    #[error("the embedded report data has {findings} findings lists for {snapshots} snapshots")]
    FindingsMismatch {
        /// Number of snapshots.
        snapshots: usize,
        /// Number of findings lists.
        findings: usize,
    },
}

/// The snapshots (holding only the viewed sections) and, when embedded, their findings.
#[derive(Debug, Clone, PartialEq)]
pub struct PageData {
    /// Snapshots in page order. An expected table listed in [`PageData::same_as_live`] is a
    /// placeholder (schema, name and kind only) for the live table named there.
    pub snapshots: Vec<Snapshot>,
    /// Per snapshot, per expected table: `Some(j)` when the page wrote it as live table `j`
    /// (equal in every field), its placeholder standing in for it. Empty when none is.
    pub same_as_live: Vec<Vec<Option<usize>>>,
    /// One findings list per snapshot, when the page embeds them.
    pub findings: Option<Vec<Vec<Finding>>>,
}

impl PageData {
    /// The snapshots with each placeholder replaced by a copy of its live table: the snapshots
    /// as the page's data describes them.
    pub fn materialized(&self) -> Vec<Snapshot> {
        let mut out = self.snapshots.clone();
        for (s, same) in out.iter_mut().zip(&self.same_as_live) {
            let live = s
                .schema
                .data()
                .map(|l| l.tables.clone())
                .unwrap_or_default();
            if let Section::Collected { data: e } = &mut s.expected_schema {
                for (t, j) in e.schema.tables.iter_mut().zip(same) {
                    if let Some(l) = j.and_then(|j| live.get(j)) {
                        *t = l.clone();
                    }
                }
            }
        }
        out
    }
}

/// Why a snapshot was refused after reading (not a shape error).
enum Refusal {
    Bad(Error),
    TooNew(usize, u32),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Refusal {
        Refusal::Bad(e)
    }
}

/// Parses the text of the `gaps-data` element.
pub fn parse_data(text: &str) -> Result<PageData, DataError> {
    let mut r = Reader::new(text);
    let mut snapshots: Option<Vec<Snapshot>> = None;
    let mut same_as_live = Vec::new();
    let mut findings: Option<Vec<Vec<Finding>>> = None;
    let mut too_new: Option<(usize, u32)> = None;
    let read = (|| -> R<()> {
        r.object(&mut |r, key| {
            match key {
                "snapshots" => {
                    let mut list = Vec::new();
                    r.array(&mut |r| {
                        let (s, same) = snapshot(r)?;
                        same_as_live.push(same);
                        if s.format_version > FORMAT_VERSION && too_new.is_none() {
                            too_new = Some((list.len(), s.format_version));
                        }
                        list.push(s);
                        Ok(())
                    })?;
                    snapshots = Some(list);
                }
                "findings" if r.null() => {}
                "findings" => {
                    let mut lists = Vec::new();
                    r.array(&mut |r| {
                        let mut list = Vec::new();
                        r.array(&mut |r| {
                            list.push(finding(r)?);
                            Ok(())
                        })?;
                        lists.push(list);
                        Ok(())
                    })?;
                    findings = Some(lists);
                }
                _ => r.skip()?,
            }
            Ok(())
        })?;
        r.end()
    })();
    let refusal = match read {
        Err(e) => Some(Refusal::Bad(e)),
        Ok(()) => too_new.map(|(i, v)| Refusal::TooNew(i, v)),
    };
    match refusal {
        Some(Refusal::Bad(e)) => {
            let (line, column) = line_column(text, e.at);
            return Err(DataError::Invalid {
                line,
                column,
                message: e.message,
            });
        }
        Some(Refusal::TooNew(index, found)) => return Err(DataError::TooNew { index, found }),
        None => {}
    }
    let Some(snapshots) = snapshots else {
        let (line, column) = line_column(text, 0);
        return Err(DataError::Invalid {
            line,
            column,
            message: "missing field `snapshots`".into(),
        });
    };
    if snapshots.is_empty() {
        return Err(DataError::Empty);
    }
    if let Some(f) = &findings
        && f.len() != snapshots.len()
    {
        return Err(DataError::FindingsMismatch {
            snapshots: snapshots.len(),
            findings: f.len(),
        });
    }
    Ok(PageData {
        snapshots,
        same_as_live,
        findings,
    })
}

/// Reads `{"status": "collected", "data": ...}`, `{"status": "failed", "error": ...}` or
/// `{"status": "skipped", "reason": ...}`; `null` is an absent section.
fn section<'a, T>(
    r: &mut Reader<'a>,
    mut data: impl FnMut(&mut Reader<'a>) -> R<T>,
) -> R<Section<T>> {
    if r.null() {
        return Ok(Section::default());
    }
    let (mut status, mut payload, mut error, mut reason) = (None, None, None, String::new());
    let at = r.error("").at;
    r.object(&mut |r, key| {
        match key {
            "status" => status = Some(r.string()?),
            "data" => payload = Some(data(r)?),
            "error" => {
                let mut e = SectionError {
                    during: String::new(),
                    message: String::new(),
                };
                r.object(&mut |r, key| {
                    match key {
                        "during" => e.during = r.string()?,
                        "message" => e.message = r.string()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                error = Some(e);
            }
            "reason" => reason = r.string()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    let bad = |message: String| Error { at, message };
    match status.as_deref() {
        Some("collected") => payload
            .map(Section::collected)
            .ok_or_else(|| bad("a collected section has no `data`".into())),
        Some("failed") => error
            .map(|error| Section::Failed { error })
            .ok_or_else(|| bad("a failed section has no `error`".into())),
        Some("skipped") => Ok(Section::Skipped { reason }),
        Some(other) => Err(bad(format!("unknown section status `{other}`"))),
        None => Err(bad("a section has no `status`".into())),
    }
}

/// Reads a snapshot, and which of its expected tables stand for a live one.
fn snapshot(r: &mut Reader<'_>) -> R<(Snapshot, Vec<Option<usize>>)> {
    let mut s = Snapshot::new("", String::new(), Target::default());
    let mut same = Vec::new();
    let mut version = None;
    let at = r.error("").at;
    r.object(&mut |r, key| {
        match key {
            "format_version" => {
                let v = r.int()?;
                version =
                    Some(u32::try_from(v).map_err(|_| r.error("format_version out of range"))?);
            }
            "collected_at" => s.collected_at = r.string()?,
            "target" => s.target = target(r)?,
            "schema" => s.schema = section(r, |r| schema(r, &[], &mut Vec::new()))?,
            "applied_migrations" => s.applied_migrations = section(r, applied)?,
            "expected_schema" => {
                let live = s.schema.data().map_or(&[][..], |l| &l.tables[..]);
                same.clear();
                s.expected_schema = section(r, |r| expected(r, live, &mut same))?
            }
            _ => r.skip()?,
        }
        Ok(())
    })?;
    s.format_version = version.ok_or(Error {
        at,
        message: "missing field `format_version`".into(),
    })?;
    if !same.iter().any(Option::is_some) {
        same.clear();
    }
    Ok((s, same))
}

fn target(r: &mut Reader<'_>) -> R<Target> {
    let mut t = Target::default();
    r.object(&mut |r, key| {
        match key {
            "label" => t.label = r.opt_string()?,
            "database_url" => t.database_url = r.opt_string()?,
            "source_dir" => t.source_dir = r.opt_string()?,
            "backend" => {
                t.backend = match r.opt_string()?.as_deref() {
                    Some("postgres") => Some(Backend::Postgres),
                    Some("sqlite") => Some(Backend::Sqlite),
                    Some("mysql") => Some(Backend::Mysql),
                    // A backend this viewer does not know compares like an unknown one.
                    _ => None,
                }
            }
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(t)
}

/// Reads a schema. A table may be written as a number: the position of an equal table in
/// `live` (the page's compact form of an expected schema, `gaps_site::embed::compact`); it is
/// read as a placeholder (schema, name and kind), `same` getting the position (`None` for a
/// table written in full).
fn schema(r: &mut Reader<'_>, live: &[Table], same: &mut Vec<Option<usize>>) -> R<Schema> {
    let mut s = Schema::default();
    r.object(&mut |r, key| {
        match key {
            "schemas" => s.schemas = r.strings()?,
            "tables" => r.array(&mut |r| {
                if r.peek().is_some_and(|b| b.is_ascii_digit()) {
                    let at = r.error("");
                    let i = usize::try_from(r.int()?).unwrap_or(usize::MAX);
                    let t = live.get(i).ok_or(Error {
                        message: format!(
                            "table {i} of the live schema is referred to, but it has {} tables",
                            live.len()
                        ),
                        ..at
                    })?;
                    s.tables
                        .push(Table::new(&t.schema, &t.name, t.kind, Vec::new()));
                    same.push(Some(i));
                } else {
                    s.tables.push(table(r)?);
                    same.push(None);
                }
                Ok(())
            })?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(s)
}

fn table(r: &mut Reader<'_>) -> R<Table> {
    let mut t = Table::new("", "", TableKind::Table, Vec::new());
    r.object(&mut |r, key| {
        match key {
            "schema" => t.schema = r.string()?,
            "name" => t.name = r.string()?,
            "kind" => {
                t.kind = match r.str()?.as_ref() {
                    "table" => TableKind::Table,
                    "partitioned_table" => TableKind::PartitionedTable,
                    "view" => TableKind::View,
                    "materialized_view" => TableKind::MaterializedView,
                    "foreign_table" => TableKind::ForeignTable,
                    other => return Err(r.error(format!("unknown table kind `{other}`"))),
                }
            }
            "columns" => r.array(&mut |r| {
                let position = t.columns.len();
                t.columns.push(column(r, position)?);
                Ok(())
            })?,
            "primary_key" => {
                t.primary_key = if r.null() {
                    None
                } else {
                    Some(key_constraint(r)?)
                }
            }
            "unique_constraints" => r.array(&mut |r| {
                t.unique_constraints.push(key_constraint(r)?);
                Ok(())
            })?,
            "check_constraints" => r.array(&mut |r| {
                let mut c = CheckConstraint {
                    name: String::new(),
                    expression: String::new(),
                };
                r.object(&mut |r, key| {
                    match key {
                        "name" => c.name = r.string()?,
                        "expression" => c.expression = r.string()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                t.check_constraints.push(c);
                Ok(())
            })?,
            "foreign_keys" => r.array(&mut |r| {
                t.foreign_keys.push(foreign_key(r)?);
                Ok(())
            })?,
            "indexes" => r.array(&mut |r| {
                t.indexes.push(index(r)?);
                Ok(())
            })?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(t)
}

/// Reads a column: an object in the snapshot's form, or the page's compact array
/// `[name, data_type, nullable, default, identity, generated, ordinal]` (trailing `null`s left
/// out; the ordinal, when absent or `null`, is `position + 1`).
fn column(r: &mut Reader<'_>, position: usize) -> R<Column> {
    if r.peek() == Some(b'[') {
        let mut c = Column::new(position as i32 + 1, "", "", true);
        let mut i = 0;
        r.array(&mut |r| {
            match i {
                0 => c.name = r.string()?,
                1 => c.data_type = r.string()?,
                2 => c.nullable = r.boolean()?,
                3 => c.default = r.opt_string()?,
                4 => c.identity = r.opt_string()?,
                5 => c.generated = r.opt_string()?,
                6 if r.null() => {}
                6 => c.ordinal = r.int32()?,
                _ => r.skip()?,
            }
            i += 1;
            Ok(())
        })?;
        if i < 3 {
            return Err(r.error("a column array needs its name, type and nullability"));
        }
        return Ok(c);
    }
    let mut c = Column::new(0, "", "", true);
    r.object(&mut |r, key| {
        match key {
            "ordinal" => c.ordinal = r.int32()?,
            "name" => c.name = r.string()?,
            "data_type" => c.data_type = r.string()?,
            "nullable" => c.nullable = r.boolean()?,
            "default" => c.default = r.opt_string()?,
            "identity" => c.identity = r.opt_string()?,
            "generated" => c.generated = r.opt_string()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(c)
}

fn key_constraint(r: &mut Reader<'_>) -> R<KeyConstraint> {
    let mut k = KeyConstraint {
        name: String::new(),
        columns: Vec::new(),
    };
    r.object(&mut |r, key| {
        match key {
            "name" => k.name = r.string()?,
            "columns" => k.columns = r.strings()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(k)
}

fn foreign_key(r: &mut Reader<'_>) -> R<ForeignKey> {
    let mut f = ForeignKey {
        name: String::new(),
        columns: Vec::new(),
        referenced_schema: String::new(),
        referenced_table: String::new(),
        referenced_columns: Vec::new(),
        on_delete: String::new(),
        on_update: String::new(),
    };
    r.object(&mut |r, key| {
        match key {
            "name" => f.name = r.string()?,
            "columns" => f.columns = r.strings()?,
            "referenced_schema" => f.referenced_schema = r.string()?,
            "referenced_table" => f.referenced_table = r.string()?,
            "referenced_columns" => f.referenced_columns = r.strings()?,
            "on_delete" => f.on_delete = r.string()?,
            "on_update" => f.on_update = r.string()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(f)
}

fn index(r: &mut Reader<'_>) -> R<Index> {
    let mut i = Index {
        name: String::new(),
        columns: Vec::new(),
        unique: false,
        primary: false,
        definition: None,
    };
    r.object(&mut |r, key| {
        match key {
            "name" => i.name = r.string()?,
            "columns" => i.columns = r.strings()?,
            "unique" => i.unique = r.boolean()?,
            "primary" => i.primary = r.boolean()?,
            "definition" => i.definition = r.opt_string()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(i)
}

fn applied(r: &mut Reader<'_>) -> R<AppliedMigrations> {
    let mut a = AppliedMigrations {
        table: String::new(),
        table_source: None,
        present: false,
        hidden_in: Vec::new(),
        search_path: None,
        rows: Vec::new(),
    };
    r.object(&mut |r, key| {
        match key {
            "table" => a.table = r.string()?,
            "table_source" => a.table_source = r.opt_string()?,
            "present" => a.present = r.boolean()?,
            "rows" => r.array(&mut |r| {
                let mut m = AppliedMigration {
                    version: 0,
                    description: String::new(),
                    installed_on: None,
                    success: false,
                    checksum: String::new(),
                    execution_time: 0,
                };
                r.object(&mut |r, key| {
                    match key {
                        "version" => m.version = r.int()?,
                        "description" => m.description = r.string()?,
                        "installed_on" => m.installed_on = r.opt_string()?,
                        "success" => m.success = r.boolean()?,
                        "checksum" => m.checksum = r.string()?,
                        "execution_time" => m.execution_time = r.int()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                a.rows.push(m);
                Ok(())
            })?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(a)
}

fn expected(
    r: &mut Reader<'_>,
    live: &[Table],
    same: &mut Vec<Option<usize>>,
) -> R<ExpectedSchema> {
    let mut e = ExpectedSchema::default();
    r.object(&mut |r, key| {
        match key {
            "mode" => {
                e.mode = match r.str()?.as_ref() {
                    "scratch" => ExpectationMode::Scratch,
                    _ => ExpectationMode::Replay,
                }
            }
            "schema" => {
                same.clear();
                e.schema = schema(r, live, same)?
            }
            "partial_tables" => e.partial_tables = r.strings()?,
            "migrations" => r.array(&mut |r| {
                let mut m = ReplayedMigration {
                    version: 0,
                    file: String::new(),
                    statements: 0,
                    not_modelled: 0,
                };
                r.object(&mut |r, key| {
                    match key {
                        "version" => m.version = r.int()?,
                        "file" => m.file = r.string()?,
                        "statements" => m.statements = r.int32()?.max(0) as u32,
                        "not_modelled" => m.not_modelled = r.int32()?.max(0) as u32,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                e.migrations.push(m);
                Ok(())
            })?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(e)
}

fn finding(r: &mut Reader<'_>) -> R<Finding> {
    let mut f = Finding::new(FindingKind::EvidenceUnavailable, Severity::Info, "", "");
    r.object(&mut |r, key| {
        match key {
            "kind" => {
                let s = r.str()?;
                f.kind = FindingKind::parse(&s)
                    .ok_or_else(|| r.error(format!("unknown finding kind `{s}`")))?;
            }
            "severity" => {
                let s = r.str()?;
                f.severity = Severity::parse(&s)
                    .ok_or_else(|| r.error(format!("unknown severity `{s}`")))?;
            }
            "action" => f.action = r.string()?,
            "message" => f.message = r.string()?,
            "next_step" => f.next_step = r.opt_string()?,
            "migration" => f.migration = if r.null() { None } else { Some(r.int()?) },
            "schema" => f.schema = r.opt_string()?,
            "table" => f.table = r.opt_string()?,
            "column" => f.column = r.opt_string()?,
            "file" => f.file = r.opt_string()?,
            "line" => {
                f.line = if r.null() {
                    None
                } else {
                    Some(r.int32()?.max(0) as u32)
                }
            }
            "expected" => f.expected = r.opt_string()?,
            "live" => f.live = r.opt_string()?,
            // Of the details only `section` matters here: it tells apart the subject-less
            // evidence_unavailable findings when two snapshots' findings are compared.
            "details" => r.object(&mut |r, key| {
                match key {
                    "section" => {
                        if let Some(s) = r.opt_string()? {
                            f.details
                                .insert("section".into(), serde_json::Value::String(s));
                        }
                    }
                    _ => r.skip()?,
                }
                Ok(())
            })?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(f)
}

// Native only: the fixtures come from gaps-site, a native dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
