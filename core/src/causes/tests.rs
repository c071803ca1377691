//! Tests of the grouping and ordering rules, each on a small service built with
//! [`crate::testing::Service`] and analysed by the real rules. Every test also checks that
//! each finding belongs to exactly one cause.

mod fixes;
mod grouping;
mod ordering;

use super::*;
use crate::rules::analyse;
use crate::testing::Service;

/// The findings and the diagnosis of a service, with the partition checked.
fn diagnosed(s: &Service) -> (Vec<Finding>, Diagnosis) {
    let snap = s.snapshot();
    let findings = analyse(&snap);
    let d = diagnose(&snap, &findings);
    let mut owner = vec![None; findings.len()];
    for (ci, c) in d.causes.iter().enumerate() {
        assert!(!c.findings.is_empty(), "cause {} has no finding", c.id);
        for &f in &c.findings {
            assert!(
                owner[f].replace(ci).is_none(),
                "finding {f} is in two causes:\n{}",
                show(&findings, &d)
            );
        }
    }
    assert!(
        owner.iter().all(Option::is_some),
        "a finding has no cause:\n{}",
        show(&findings, &d)
    );
    assert_eq!(d.of_finding.len(), findings.len());
    let ids: std::collections::BTreeSet<&str> = d.causes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), d.causes.len(), "ids are unique");
    (findings, d)
}

/// Every cause with its findings, for failure messages.
fn show(findings: &[Finding], d: &Diagnosis) -> String {
    let mut out = String::new();
    for c in &d.causes {
        out.push_str(&format!("{} [{}] {}\n", c.id, c.severity.as_str(), c.title));
        for &f in &c.findings {
            let f = &findings[f];
            out.push_str(&format!(
                "    {} {} {}.{} {}:{} m={:?}: {}\n",
                f.kind.name(),
                f.severity.as_str(),
                f.table.as_deref().unwrap_or(""),
                f.column.as_deref().unwrap_or(""),
                f.file.as_deref().unwrap_or(""),
                f.line.unwrap_or(0),
                f.migration,
                f.message
            ));
        }
    }
    out
}

/// The cause with `id`, or a failure listing them all.
fn cause<'d>(findings: &[Finding], d: &'d Diagnosis, id: &str) -> &'d Cause {
    d.causes
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no cause {id} in:\n{}", show(findings, d)))
}

/// The kinds of a cause's findings, sorted.
fn kinds(findings: &[Finding], c: &Cause) -> Vec<&'static str> {
    let mut k: Vec<&str> = c
        .findings
        .iter()
        .map(|&i| findings[i].kind.name())
        .collect();
    k.sort_unstable();
    k
}

/// The ids in order.
fn ids(d: &Diagnosis) -> Vec<&str> {
    d.causes.iter().map(|c| c.id.as_str()).collect()
}

const USERS: &str = "CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL, name TEXT);";
const HABITS: &str = "CREATE TABLE habits (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), title TEXT NOT NULL, streak INTEGER NOT NULL DEFAULT 0);";
