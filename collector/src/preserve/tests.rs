//! Tests of where the snapshot goes: the output opened first, a worse snapshot written beside a good one, files that are not snapshots kept.

use super::*;
use gaps_core::section::Section;
use gaps_core::snapshot::Target;

fn snap(at: &str, collected: usize) -> Snapshot {
    let mut s = Snapshot::new("0", at.into(), Target::default());
    s.database = Section::collected(gaps_core::schema::DatabaseInfo {
        backend: gaps_core::backend::Backend::Sqlite,
        server_version: "3.46.0".into(),
        database: None,
        current_user: None,
        search_path: None,
    });
    if collected > 1 {
        s.local_migrations = Section::collected(gaps_core::migrations::LocalMigrations {
            directory: "m".into(),
            directory_source: "flag".into(),
            source_file: None,
            source_line: None,
            ignored_chars: vec![],
            files: vec![],
            ignored: vec![],
        });
    }
    s
}

#[test]
fn a_missing_output_directory_fails_before_collecting_and_names_the_path() {
    let err = prepare(Path::new("/nonexistent-gaps-dir/s.json"), false)
        .err()
        .unwrap();
    let text = format!("{err:#}");
    assert!(text.contains("/nonexistent-gaps-dir/s.json"), "{text}");
}

#[test]
fn a_directory_as_output_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = prepare(dir.path(), false).err().unwrap().to_string();
    assert!(err.contains("is a directory"), "{err}");
}

#[test]
fn a_file_that_is_not_a_snapshot_is_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.json");
    std::fs::write(&p, "[\"mine\"]").unwrap();
    let err = prepare(&p, false).err().unwrap().to_string();
    assert!(err.contains("not a gaps snapshot"), "{err}");
    let out = prepare(&p, true).unwrap();
    out.write(&snap("2026-01-09T12:00:00Z", 1)).unwrap();
    assert!(Snapshot::from_json(&std::fs::read_to_string(&p).unwrap()).is_ok());
}

#[test]
fn a_worse_snapshot_is_written_beside_the_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("prod.json");
    let good = snap("2026-01-09T12:00:00Z", 2);
    std::fs::write(&p, good.to_json()).unwrap();
    let mut bad = snap("2026-01-09T13:00:00Z", 1);
    bad.database = Section::failed("connecting to the database", "connection refused");
    let w = prepare(&p, false).unwrap().write(&bad).unwrap();
    assert_eq!(
        w.path,
        dir.path().join("prod.partial-20260109T130000Z.json")
    );
    assert!(w.kept.as_deref().unwrap().contains("connection refused"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), good.to_json());
    // The same second again: a new name, nothing replaced.
    let w2 = prepare(&p, false).unwrap().write(&bad).unwrap();
    assert_eq!(
        w2.path,
        dir.path().join("prod.partial-20260109T130000Z-2.json")
    );
    // --force replaces it.
    let w3 = prepare(&p, true).unwrap().write(&bad).unwrap();
    assert_eq!((w3.path.as_path(), w3.kept), (p.as_path(), None));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), bad.to_json());
}

#[test]
fn an_equal_or_better_snapshot_replaces_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    std::fs::write(&p, snap("2026-01-09T12:00:00Z", 1).to_json()).unwrap();
    let better = snap("2026-01-09T13:00:00Z", 2);
    let w = prepare(&p, false).unwrap().write(&better).unwrap();
    assert_eq!((w.path.as_path(), w.kept), (p.as_path(), None));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn fewer_collected_sections_name_what_was_lost() {
    let why = worse(&snap("b", 1), &Outline::of(&snap("a", 2))).unwrap();
    assert!(
        why.contains("2 collected section(s), this run only 1"),
        "{why}"
    );
    assert!(why.contains("local_migrations"), "{why}");
    assert_eq!(worse(&snap("b", 2), &Outline::of(&snap("a", 2))), None);
}

/// A snapshot with a secret in a free-text field (a database error message), known verbatim
/// or not, and a password in a URL.
fn with_secrets() -> (Snapshot, Vec<String>) {
    let mut s = snap("2026-01-09T12:00:00Z", 2);
    s.target.label = Some("password authentication failed, password=xq7s1-pw".into());
    s.applied_migrations = Section::failed("reading applied migrations", "bad KNOWN-xq7s2 here");
    (s, vec!["KNOWN-xq7s2".into()])
}

#[test]
fn a_gathered_snapshot_is_written_redacted_in_one_pass_or_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    // Nothing to redact: one pass, the canonical text, the snapshot as it was.
    let clean = snap("2026-01-09T12:00:00Z", 2);
    let (back, w) = prepare(&p, false)
        .unwrap()
        .write_gathered(Gathered::new(clean.clone(), vec!["KNOWN-xq7s2".into()]))
        .unwrap();
    assert_eq!((w.path.as_path(), w.kept), (p.as_path(), None));
    assert_eq!(back, clean);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), clean.to_json());
    // Secrets, known and not: the file holds the redacted snapshot's canonical text and
    // nothing of the first pass, and the snapshot comes back redacted.
    let (secret, known) = with_secrets();
    let mut redacted = secret.clone();
    redacted.redact(&known);
    assert_ne!(redacted, secret, "the fixture has something to redact");
    let (back, w) = prepare(&p, false)
        .unwrap()
        .write_gathered(Gathered::new(secret, known))
        .unwrap();
    assert_eq!((w.path.as_path(), w.kept), (p.as_path(), None));
    assert_eq!(back, redacted);
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text, redacted.to_json());
    assert!(!text.contains("xq7s"), "{text}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_gathered_worse_snapshot_goes_beside_the_good_one_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("prod.json");
    let good = snap("2026-01-09T12:00:00Z", 2);
    std::fs::write(&p, good.to_json()).unwrap();
    let (mut bad, known) = with_secrets();
    bad.collected_at = "2026-01-09T13:00:00Z".into();
    bad.database = Section::failed("connecting to the database", "refused for KNOWN-xq7s2");
    let (back, w) = prepare(&p, false)
        .unwrap()
        .write_gathered(Gathered::new(bad, known))
        .unwrap();
    assert_eq!(
        w.path,
        dir.path().join("prod.partial-20260109T130000Z.json")
    );
    let why = w.kept.unwrap();
    assert!(
        why.contains("refused for REDACTED") && !why.contains("xq7s"),
        "{why}"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), good.to_json());
    assert_eq!(std::fs::read_to_string(&w.path).unwrap(), back.to_json());
}

#[test]
fn a_gathered_snapshot_to_a_device_is_redacted_first() {
    let (secret, known) = with_secrets();
    let (back, w) = prepare(Path::new("/dev/null"), false)
        .unwrap()
        .write_gathered(Gathered::new(secret, known))
        .unwrap();
    assert_eq!((w.path.as_path(), w.kept), (Path::new("/dev/null"), None));
    // Raw serde, not the redacting writer: the snapshot itself holds no secret.
    let raw = serde_json::to_string(&back).unwrap();
    assert!(!raw.contains("xq7s") && raw.contains("REDACTED"), "{raw}");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_file_that_is_not_a_snapshot_read_meanwhile_stops_the_collection_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.json");
    std::fs::write(&p, "[\"mine\"]").unwrap();
    // Raced with a collection: the refusal comes (the collection never ends here).
    let mut out = open(&p, false).unwrap();
    let err = runtime().block_on(async {
        tokio::select! {
            e = out.refused() => e,
            () = std::future::pending() => unreachable!(),
        }
    });
    assert!(err.to_string().contains("not a gaps snapshot"), "{err}");
    drop(out);
    // Not raced: writing refuses, and leaves the file and no temporary behind.
    let out = open(&p, false).unwrap();
    let err = out.write(&snap("2026-01-09T12:00:00Z", 1)).unwrap_err();
    assert!(err.to_string().contains("not a gaps snapshot"), "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "[\"mine\"]");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // --force replaces it.
    let out = open(&p, true).unwrap();
    out.write(&snap("2026-01-09T12:00:00Z", 1)).unwrap();
    assert!(Snapshot::from_json(&std::fs::read_to_string(&p).unwrap()).is_ok());
}

#[test]
fn a_good_snapshot_read_meanwhile_lets_the_collection_finish_and_is_kept_from_a_worse_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("prod.json");
    let good = snap("2026-01-09T12:00:00Z", 2);
    std::fs::write(&p, good.to_json()).unwrap();
    let mut out = open(&p, false).unwrap();
    // The refusal never comes: the collection (here, a short sleep) wins the race.
    let raced = runtime().block_on(async {
        tokio::select! {
            e = out.refused() => Err(e),
            () = tokio::time::sleep(std::time::Duration::from_millis(200)) => Ok(()),
        }
    });
    assert!(raced.is_ok(), "{raced:?}");
    let (mut bad, known) = with_secrets();
    bad.collected_at = "2026-01-09T13:00:00Z".into();
    bad.local_migrations = Section::skipped("none");
    let (_, w) = out.write_gathered(Gathered::new(bad, known)).unwrap();
    assert!(w.kept.unwrap().contains("2 collected section(s)"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), good.to_json());
    // Without racing at all, the outline is waited for when writing.
    let (_, w) = open(&p, false)
        .unwrap()
        .write_gathered(Gathered::new(snap("2026-01-09T14:00:00Z", 1), vec![]))
        .unwrap();
    assert!(w.kept.is_some());
    assert_eq!(std::fs::read_to_string(&p).unwrap(), good.to_json());
}
