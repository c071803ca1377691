//! Paths as a person types them: every path inside the service's source tree relative to its
//! root (`migrations/0013_focus_pause.sql`, `src/db/focus_repos.rs:39`), every other path as
//! the user named it on the command line (a log file, a migrations folder outside the tree).
//!
//! The rules build their messages from the evidence as collected, where a migration is named
//! by its bare file name (`0013_focus_pause.sql`, relative to the migrations folder) and the
//! folder itself as it was found (often absolute). [`relativize`] rewrites the findings once,
//! after every rule ran, so no rule has to know where the source root is.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// The source root and the migrations folder of one snapshot, as the user named them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourcePaths {
    /// The source root (`--source`), without a trailing separator.
    root: Option<String>,
    /// The migrations folder, relative to the root when it lies inside it.
    migrations: Option<String>,
    /// The migration file names (`0013_focus_pause.sql`).
    files: Vec<String>,
}

impl SourcePaths {
    /// The paths of `s`: its source root (the code section's, else the target's) and its
    /// local migrations.
    pub fn of(s: &Snapshot) -> SourcePaths {
        let root = s
            .code
            .data()
            .map(|c| c.root.clone())
            .or_else(|| s.target.source_dir.clone())
            .map(|r| trim_dir(&r).to_string())
            .filter(|r| !r.is_empty());
        let mut p = SourcePaths {
            root,
            migrations: None,
            files: Vec::new(),
        };
        if let Some(local) = s.local_migrations.data() {
            let dir = trim_dir(&local.directory);
            if !dir.is_empty() {
                p.migrations = Some(p.shown(dir));
            }
            p.files = local.files.iter().map(|f| f.file.clone()).collect();
            p.files.extend(local.ignored.iter().map(|f| f.file.clone()));
        }
        p
    }

    /// A source root and migrations folder given directly (tests, callers without a
    /// snapshot).
    pub fn new(root: Option<&str>, migrations: Option<&str>, files: &[&str]) -> SourcePaths {
        let mut p = SourcePaths {
            root: root
                .map(|r| trim_dir(r).to_string())
                .filter(|r| !r.is_empty()),
            migrations: None,
            files: files.iter().map(|f| f.to_string()).collect(),
        };
        p.migrations = migrations.map(|m| p.shown(trim_dir(m)));
        p
    }

    /// `path` relative to the source root when it lies inside it, else unchanged.
    pub fn shown(&self, path: &str) -> String {
        let Some(root) = self.root.as_deref().filter(|r| *r != ".") else {
            return path.strip_prefix("./").unwrap_or(path).to_string();
        };
        match path.strip_prefix(root) {
            Some("") => ".".to_string(),
            Some(rest) if rest.starts_with(['/', '\\']) => rest[1..].to_string(),
            _ => path.to_string(),
        }
    }

    /// The path of migration file `file` (a name inside the migrations folder).
    pub fn migration_file(&self, file: &str) -> String {
        match self.migrations.as_deref() {
            Some(dir) if dir != "." => format!("{dir}/{file}"),
            _ => file.to_string(),
        }
    }

    /// The migrations folder as shown, when known.
    pub fn migrations_dir(&self) -> Option<&str> {
        self.migrations.as_deref()
    }

    /// Rewrites one text: the source root's prefix dropped, bare migration file names given
    /// their folder.
    fn rewrite(&self, text: &str, files: Option<&AhoCorasick>) -> String {
        let mut out = match self.root.as_deref() {
            // "." or a drive letter: too short to find in prose without false matches.
            Some(root) if root.len() > 2 => {
                let prefix = format!("{root}/");
                text.replace(&prefix, "")
            }
            _ => text.to_string(),
        };
        let (Some(ac), Some(dir)) = (files, self.migrations.as_deref().filter(|d| *d != "."))
        else {
            return out;
        };
        let mut rebuilt = String::with_capacity(out.len() + 16);
        let mut last = 0;
        for m in ac.find_iter(&out) {
            let before = out[..m.start()].chars().next_back();
            let after = out[m.end()..].chars().next();
            let glued = |c: Option<char>| {
                c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '\\' | '_' | '-' | '.'))
            };
            // A bare name only: not a longer name, and not already inside a path.
            if glued(before) || after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            rebuilt.push_str(&out[last..m.start()]);
            rebuilt.push_str(dir);
            rebuilt.push('/');
            rebuilt.push_str(&out[m.start()..m.end()]);
            last = m.end();
        }
        if last > 0 {
            rebuilt.push_str(&out[last..]);
            out = rebuilt;
        }
        out
    }
}

fn trim_dir(d: &str) -> &str {
    let t = d.trim_end_matches(['/', '\\']);
    if t.is_empty() && !d.is_empty() {
        "/"
    } else {
        t
    }
}

/// Detail keys whose text is evidence quoted verbatim (a log line, SQL, a signature key):
/// never rewritten.
const VERBATIM: &[&str] = &["sample", "sql", "signature", "query", "sqlx_error"];

/// Rewrites every finding's `file`, message, next step and path-carrying details so paths
/// inside the source tree are relative to its root and migration files carry their folder.
pub fn relativize(findings: &mut [Finding], paths: &SourcePaths) {
    if paths.root.is_none() && paths.migrations.is_none() {
        return;
    }
    let ac = if paths.files.is_empty() {
        None
    } else {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&paths.files)
            .ok()
    };
    for f in findings {
        if let Some(file) = &f.file {
            let shown = paths.shown(file);
            f.file = Some(if paths.files.contains(&shown) {
                paths.migration_file(&shown)
            } else {
                shown
            });
        }
        f.message = paths.rewrite(&f.message, ac.as_ref());
        if let Some(s) = &f.next_step {
            f.next_step = Some(paths.rewrite(s, ac.as_ref()));
        }
        for (k, v) in f.details.iter_mut() {
            if !VERBATIM.contains(&k.as_str()) {
                rewrite_value(v, paths, ac.as_ref());
            }
        }
    }
}

fn rewrite_value(v: &mut serde_json::Value, paths: &SourcePaths, ac: Option<&AhoCorasick>) {
    match v {
        serde_json::Value::String(s) => {
            let r = paths.rewrite(s, ac);
            if r != *s {
                *s = r;
            }
        }
        serde_json::Value::Array(items) => {
            for i in items {
                rewrite_value(i, paths, ac);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{FindingKind, Severity};

    fn demo() -> SourcePaths {
        SourcePaths::new(
            Some("/tmp/demo/service/"),
            Some("/tmp/demo/service/migrations"),
            &["0006_habit_completions.sql", "0004_quests.sql"],
        )
    }

    #[test]
    fn paths_inside_the_root_are_relative_and_others_stay_as_named() {
        let p = demo();
        assert_eq!(p.shown("/tmp/demo/service/src/repos.rs"), "src/repos.rs");
        assert_eq!(p.shown("/tmp/demo/logs/fly.log"), "/tmp/demo/logs/fly.log");
        assert_eq!(
            p.shown("/tmp/demo/service-old/x.rs"),
            "/tmp/demo/service-old/x.rs"
        );
        assert_eq!(p.shown("src/repos.rs"), "src/repos.rs");
        assert_eq!(p.migrations_dir(), Some("migrations"));
        assert_eq!(
            p.migration_file("0004_quests.sql"),
            "migrations/0004_quests.sql"
        );
        let rel = SourcePaths::new(Some("."), Some("./db/migrations"), &[]);
        assert_eq!(rel.migrations_dir(), Some("db/migrations"));
        let outside = SourcePaths::new(Some("svc"), Some("/srv/migrations"), &[]);
        assert_eq!(
            outside.migration_file("0001_a.sql"),
            "/srv/migrations/0001_a.sql"
        );
    }

    #[test]
    fn findings_are_rewritten_once_and_verbatim_evidence_is_kept() {
        let p = demo();
        let mut fs = vec![
            Finding::new(
                FindingKind::MigrationPending,
                Severity::Error,
                "ACTION-002",
                "migration 6 has not been applied: /tmp/demo/service/migrations/0006_habit_completions.sql exists locally",
            )
            .location("/tmp/demo/service/migrations/0006_habit_completions.sql", None),
            Finding::new(
                FindingKind::TableMissing,
                Severity::Error,
                "ACTION-004",
                "table habit_completions is created by migration 0006 (0006_habit_completions.sql:1); see x0004_quests.sql",
            )
            .location("0006_habit_completions.sql", Some(1))
            .detail("fixed_by", "0006_habit_completions.sql")
            .detail("sample", "at /tmp/demo/service/src/x.rs 0004_quests.sql"),
            Finding::new(
                FindingKind::LogDatabaseError,
                Severity::Error,
                "ACTION-001",
                "logs",
            )
            .location("/tmp/demo/logs/fly.log", Some(4)),
        ];
        relativize(&mut fs, &p);
        assert_eq!(
            fs[0].message,
            "migration 6 has not been applied: migrations/0006_habit_completions.sql exists locally"
        );
        assert_eq!(
            fs[0].file.as_deref(),
            Some("migrations/0006_habit_completions.sql")
        );
        assert_eq!(
            fs[1].message,
            "table habit_completions is created by migration 0006 \
             (migrations/0006_habit_completions.sql:1); see x0004_quests.sql"
        );
        assert_eq!(
            fs[1].file.as_deref(),
            Some("migrations/0006_habit_completions.sql")
        );
        assert_eq!(
            fs[1].details["fixed_by"],
            "migrations/0006_habit_completions.sql"
        );
        assert_eq!(
            fs[1].details["sample"],
            "at /tmp/demo/service/src/x.rs 0004_quests.sql"
        );
        assert_eq!(fs[2].file.as_deref(), Some("/tmp/demo/logs/fly.log"));
        // A second pass changes nothing.
        let once = fs.clone();
        relativize(&mut fs, &p);
        assert_eq!(fs, once);
    }
}
