//! What changed between two snapshots (tables and columns added, dropped and altered,
//! migrations applied, findings that appeared or cleared), for `gaps diff`, as text or JSON,
//! from the same pure comparison the report's viewer uses.

use gaps_core::causes::CausesDiff;
use gaps_core::diff::{Compared, SchemaDiff, SnapshotDiff, Status, TableStatus};
use gaps_core::escape::terminal as esc;
use gaps_core::snapshot::Snapshot;
use gaps_core::view::describe_column;

/// The causes of A and of B, compared by id.
pub fn causes_diff(a: &Snapshot, b: &Snapshot) -> CausesDiff {
    let diagnose = |s: &Snapshot| {
        let f = gaps_core::rules::analyse(s);
        gaps_core::causes::diagnose(s, &f).causes
    };
    gaps_core::causes::diff_causes(&diagnose(a), &diagnose(b))
}

/// `json` (from [`render_json`]) with a `causes` member: which appeared, disappeared or
/// changed.
pub fn with_causes_json(json: String, causes: &CausesDiff) -> String {
    let mut value: serde_json::Value = serde_json::from_str(&json).expect("our own JSON parses");
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "causes".into(),
            serde_json::to_value(causes).expect("the causes diff serialises"),
        );
    }
    let s = serde_json::to_string_pretty(&value).expect("diff serialises");
    let mut s = gaps_core::escape::json_output(&s).into_owned();
    s.push('\n');
    s
}

/// `text` (from [`render_text`]) with the causes block before its verdict line.
pub fn with_causes_text(text: String, causes: &CausesDiff) -> String {
    let block = super::diagnosis::diff_text(causes);
    match text.rfind("\n\n") {
        Some(i) => format!("{}\n{}{}", &text[..i], block, &text[i..]),
        None => format!("{text}{block}"),
    }
}

/// The comparison as pretty JSON with a `differences` verdict, ending in a newline.
pub fn render_json(diff: &SnapshotDiff) -> String {
    let mut value = serde_json::to_value(diff).expect("diff serialises");
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "differences".into(),
            serde_json::Value::Bool(diff.has_differences()),
        );
    }
    super::json::to_text(&value)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn render_schema(out: &mut String, d: &SchemaDiff) {
    let s = &d.summary;
    out.push_str(&format!(
        "Schema: {} added, {} dropped, {} altered, {} unchanged\n",
        plural(s.tables_unexpected, "table", "tables"),
        s.tables_missing,
        s.tables_altered,
        s.tables_ok
    ));
    out.push_str(&format!(
        "Constraints and indexes: {} added, {} dropped, {} changed, {} unchanged\n",
        s.constraints_unexpected, s.constraints_missing, s.constraints_changed, s.constraints_ok
    ));
    for t in d.differing() {
        let mark = match t.status {
            TableStatus::Unexpected => '+',
            TableStatus::Missing => '-',
            _ => '~',
        };
        out.push_str(&format!("  {mark} {}\n", esc(&t.key())));
        if t.status != TableStatus::Altered {
            continue;
        }
        if t.left_kind != t.right_kind {
            out.push_str(&format!(
                "      kind: {:?} -> {:?}\n",
                t.left_kind, t.right_kind
            ));
        }
        for c in t.columns.iter().filter(|c| c.status != Status::Ok) {
            let l = c.left.as_ref().map(describe_column);
            let r = c.right.as_ref().map(describe_column);
            let line = match (c.status, l, r) {
                (Status::Unexpected, _, Some(r)) => format!("+ {} {}", esc(&c.name), esc(&r)),
                (Status::Missing, Some(l), _) => format!("- {} {}", esc(&c.name), esc(&l)),
                (_, Some(l), Some(r)) => {
                    let what: Vec<&str> = c.changes.iter().map(|s| s.as_str()).collect();
                    format!(
                        "~ {} ({}): {} -> {}",
                        esc(&c.name),
                        what.join(", "),
                        esc(&l),
                        esc(&r)
                    )
                }
                _ => format!("? {}", esc(&c.name)),
            };
            out.push_str(&format!("      {line}\n"));
        }
        for c in t.constraints.iter().filter(|c| c.status != Status::Ok) {
            let what = format!("{} {}", c.kind.as_str(), esc(&c.name));
            let line = match (c.status, &c.left, &c.right) {
                (Status::Unexpected, _, Some(r)) => format!("+ {what}: {}", esc(r)),
                (Status::Missing, Some(l), _) => format!("- {what}: {}", esc(l)),
                (_, Some(l), Some(r)) => format!("~ {what}: {} -> {}", esc(l), esc(r)),
                _ => format!("? {what}"),
            };
            out.push_str(&format!("      {line}\n"));
        }
    }
}

/// The comparison for people: one block per part, `+` added, `-` dropped, `~` changed. Every
/// name and message from the snapshots is escaped ([`gaps_core::escape::terminal`]).
pub fn render_text(diff: &SnapshotDiff) -> String {
    let mut out = format!(
        "gaps diff: A {} (collected {}) -> B {} (collected {})\n\n",
        esc(&diff.a.label),
        esc(&diff.a.collected_at),
        esc(&diff.b.label),
        esc(&diff.b.collected_at)
    );
    match &diff.schema {
        Compared::Compared { diff } => render_schema(&mut out, diff),
        Compared::Unavailable { reason } => {
            out.push_str(&format!("Schema: not compared: {}\n", esc(reason)))
        }
    }
    match &diff.migrations {
        Compared::Compared { diff: m } => {
            out.push_str(&format!(
                "Migrations: {} applied, {} removed, {} changed\n",
                m.applied.len(),
                m.removed.len(),
                m.changed.len()
            ));
            for r in &m.applied {
                let when = r
                    .installed_on
                    .as_deref()
                    .map(|w| format!(" (installed {})", esc(w)))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  + {} {}{when}\n",
                    r.version,
                    esc(&r.description)
                ));
            }
            for r in &m.removed {
                out.push_str(&format!("  - {} {}\n", r.version, esc(&r.description)));
            }
            for c in &m.changed {
                out.push_str(&format!(
                    "  ~ {} {}: {}\n",
                    c.version,
                    esc(&c.description),
                    esc(&c.changes.join("; "))
                ));
            }
        }
        Compared::Unavailable { reason } => {
            out.push_str(&format!("Migrations: not compared: {}\n", esc(reason)))
        }
    }
    let f = &diff.findings;
    out.push_str(&format!(
        "Findings: {} appeared, {} cleared, {} unchanged\n",
        f.appeared.len(),
        f.cleared.len(),
        f.unchanged
    ));
    for (mark, list) in [('+', &f.appeared), ('-', &f.cleared)] {
        for x in list {
            out.push_str(&format!(
                "  {mark} {} {}: {}\n",
                x.severity.as_str(),
                x.kind.as_str(),
                esc(&x.message)
            ));
        }
    }
    out.push_str(if diff.has_differences() {
        "\nDifferences found.\n"
    } else {
        "\nNo differences.\n"
    });
    out
}
