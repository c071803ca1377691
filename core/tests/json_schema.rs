//! The committed JSON Schema (`core/snapshot.schema.json`) must be exactly what the types
//! generate, so a silent change of the snapshot format fails this test. Regenerate it with
//! `GAPS_UPDATE_SCHEMA=1 cargo test -p gaps-core --test json_schema`.

use std::path::PathBuf;

#[test]
fn committed_snapshot_schema_matches_the_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshot.schema.json");
    let mut generated = serde_json::to_string_pretty(&gaps_core::snapshot::json_schema()).unwrap();
    generated.push('\n');
    if std::env::var_os("GAPS_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "core/snapshot.schema.json is stale: the snapshot types changed. If the change is \
         intended, run GAPS_UPDATE_SCHEMA=1 cargo test -p gaps-core --test json_schema and, for \
         a breaking change, bump FORMAT_VERSION."
    );
}

/// The same for `gaps check --format json` (`core/check-output.schema.json`).
#[test]
fn committed_check_output_schema_matches_the_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("check-output.schema.json");
    let mut generated =
        serde_json::to_string_pretty(&gaps_core::causes::check_output_schema()).unwrap();
    generated.push('\n');
    if std::env::var_os("GAPS_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "core/check-output.schema.json is stale: the check output types changed. If the change \
         is intended, run GAPS_UPDATE_SCHEMA=1 cargo test -p gaps-core --test json_schema."
    );
}

/// The same for `gaps check --format json` over several snapshots
/// (`core/fleet-check-output.schema.json`).
#[test]
fn committed_fleet_check_output_schema_matches_the_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fleet-check-output.schema.json");
    let mut generated =
        serde_json::to_string_pretty(&gaps_core::causes::fleet_check_output_schema()).unwrap();
    generated.push('\n');
    if std::env::var_os("GAPS_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "core/fleet-check-output.schema.json is stale: the check output types changed. If the \
         change is intended, run GAPS_UPDATE_SCHEMA=1 cargo test -p gaps-core --test json_schema."
    );
}
