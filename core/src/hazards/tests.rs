use super::*;

#[test]
fn the_conflict_table_is_symmetric_and_matches_the_documentation() {
    for a in LockMode::ALL {
        for b in LockMode::ALL {
            assert_eq!(
                a.conflicts_with(b),
                b.conflicts_with(a),
                "{a} vs {b} must conflict both ways"
            );
        }
    }
    // The documentation's row counts: ACCESS SHARE conflicts with one mode, ACCESS EXCLUSIVE
    // with all eight, SHARE UPDATE EXCLUSIVE with itself.
    let n = |m: LockMode| {
        LockMode::ALL
            .iter()
            .filter(|o| m.conflicts_with(**o))
            .count()
    };
    assert_eq!(n(LockMode::AccessShare), 1);
    assert_eq!(n(LockMode::RowExclusive), 4);
    assert_eq!(n(LockMode::Share), 5);
    assert_eq!(n(LockMode::AccessExclusive), 8);
    assert!(LockMode::ShareUpdateExclusive.conflicts_with(LockMode::ShareUpdateExclusive));
    assert!(!LockMode::Share.conflicts_with(LockMode::Share));
    assert!(!LockMode::RowExclusive.conflicts_with(LockMode::RowExclusive));
}

#[test]
fn what_a_queued_lock_blocks_is_said_in_application_terms() {
    assert_eq!(
        LockMode::AccessExclusive.blocks(),
        "every query (reads included)"
    );
    assert_eq!(LockMode::Share.blocks(), "writes (INSERT, UPDATE, DELETE)");
    assert!(
        LockMode::ShareUpdateExclusive
            .blocks()
            .contains("not reads or writes")
    );
    assert!(!LockMode::ShareUpdateExclusive.blocks_the_application());
    assert!(LockMode::ShareRowExclusive.blocks_the_application());
}

#[test]
fn pg_locks_modes_are_read_including_index_locks() {
    assert_eq!(
        LockMode::from_pg_locks("AccessShareLock"),
        Some(LockMode::AccessShare)
    );
    assert_eq!(
        LockMode::from_pg_locks("RowExclusiveLock on index events_pkey"),
        Some(LockMode::RowExclusive)
    );
    assert_eq!(LockMode::from_pg_locks("MDL_EXCLUSIVE"), None);
}

#[test]
fn sizes_and_durations_read_well() {
    assert_eq!(count(950), "950");
    assert_eq!(count(2_100_000), "2.1 M");
    assert_eq!(count(300_000), "300.0 k");
    assert_eq!(bytes(512), "512 B");
    assert_eq!(bytes(1_395_864_371), "1.3 GB");
    assert_eq!(duration(42.4), "42 s");
    assert_eq!(duration(3.0 * 3600.0 + 5.0), "3 h");
    let size = TableSize {
        relation: RelationName {
            schema: "public".into(),
            name: "events".into(),
        },
        estimated_rows: Some(2_000_000),
        live_rows: Some(2_100_000),
        bytes: Some(1_395_864_371),
        bytes_estimated: false,
    };
    assert_eq!(size.rows(), Some(2_100_000));
    assert_eq!(size.describe(), "2.1 M rows, 1.3 GB");
}

#[test]
fn a_table_is_large_from_either_threshold() {
    let plan = MigrationPlan {
        backend: Backend::Postgres,
        linter: "x".into(),
        server_version_num: None,
        large_table: SizeThreshold {
            rows: 1000,
            bytes: 1 << 20,
        },
        migrations: Vec::new(),
        tables: Vec::new(),
        lock_holders: Vec::new(),
        after: AfterCheck::default(),
        problems: Vec::new(),
    };
    let size = |rows: Option<i64>, b: Option<i64>| TableSize {
        relation: RelationName {
            schema: "public".into(),
            name: "t".into(),
        },
        estimated_rows: rows,
        live_rows: None,
        bytes: b,
        bytes_estimated: false,
    };
    assert!(plan.is_large(&size(Some(1000), None)));
    assert!(plan.is_large(&size(Some(10), Some(2 << 20))));
    assert!(!plan.is_large(&size(Some(999), Some(1024))));
    assert!(!plan.is_large(&size(None, None)));
}
