//! The committed JSON Schemas (`core/snapshot.schema.json`, `core/check-output.schema.json`,
//! `core/fleet-check-output.schema.json`) must be exactly what the types generate, so a silent
//! change of a format fails this test. Regenerate them with
//! `GAPS_UPDATE_SCHEMA=1 cargo test -p gaps-core --test json_schema`.

use std::path::PathBuf;

/// Fails unless `file` (beside Cargo.toml) holds `schema` pretty-printed; writes it first when
/// `GAPS_UPDATE_SCHEMA` is set. `advice` says what else a change needs.
fn assert_committed(file: &str, schema: serde_json::Value, advice: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    let mut generated = serde_json::to_string_pretty(&schema).unwrap();
    generated.push('\n');
    if std::env::var_os("GAPS_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "core/{file} is stale: the types changed. If the change is intended, run \
         GAPS_UPDATE_SCHEMA=1 cargo test -p gaps-core --test json_schema{advice}."
    );
}

#[test]
fn committed_snapshot_schema_matches_the_types() {
    assert_committed(
        "snapshot.schema.json",
        gaps_core::snapshot::json_schema(),
        " and, for a breaking change, bump FORMAT_VERSION",
    );
}

/// The same for `gaps check --format json`.
#[test]
fn committed_check_output_schema_matches_the_types() {
    assert_committed(
        "check-output.schema.json",
        gaps_core::causes::check_output_schema(),
        "",
    );
}

/// The same for `gaps check --format json` over several snapshots.
#[test]
fn committed_fleet_check_output_schema_matches_the_types() {
    assert_committed(
        "fleet-check-output.schema.json",
        gaps_core::causes::fleet_check_output_schema(),
        "",
    );
}
