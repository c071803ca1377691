//! `gaps report` through the real binary: writes DIR/index.html, refuses to overwrite the
//! input registry, names a bad snapshot file, and --write-gaps moves complete actions.

use std::process::Command;

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

#[test]
fn write_gaps_refuses_the_input_file_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("s.json");
    std::fs::write(&snap, gaps_site::sample::sample_snapshot().to_json()).unwrap();
    let md = dir.path().join("gaps.md");
    let seed = std::fs::read(gaps_tests::fixtures::fixture("gaps.md")).unwrap();
    std::fs::write(&md, &seed).unwrap();
    let out = Command::new(GAPS)
        .args(["report", snap.to_str().unwrap(), "--gaps"])
        .arg(&md)
        .arg("--write-gaps")
        .arg(&md)
        .arg("--out")
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never modifies it in place"));
    assert_eq!(std::fs::read(&md).unwrap(), seed);
    assert!(!dir.path().join("r/index.html").exists());
}

#[test]
fn report_writes_index_and_updated_registry() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("s.json");
    std::fs::write(&snap, gaps_site::sample::sample_snapshot().to_json()).unwrap();
    let updated = dir.path().join("gaps.updated.md");
    let out = Command::new(GAPS)
        .args(["report", snap.to_str().unwrap(), "--gaps"])
        .arg(gaps_tests::fixtures::fixture("gaps.md"))
        .arg("--write-gaps")
        .arg(&updated)
        .arg("--out")
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    assert!(html.contains("12 applied, 1 failed (0013), 1 pending (0014)"));
    assert!(html.contains("script-src 'sha256-"));
    let text = std::fs::read_to_string(&updated).unwrap();
    let completed = text.find("## Completed Actions").unwrap();
    // Migrations evidence is complete in the sample; health failed, so ACTION-006 stays.
    assert!(text[completed..].contains("### ACTION-002"));
    assert!(!text[completed..].contains("### ACTION-006"));
    assert!(
        text.contains("— Action Items Registry"),
        "mojibake repaired"
    );
}

#[test]
fn bad_snapshot_is_named_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("broken.json");
    std::fs::write(&snap, "{ not json").unwrap();
    let out = Command::new(GAPS)
        .args(["report", snap.to_str().unwrap(), "--out"])
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.json"));
}
