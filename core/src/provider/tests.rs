//! Tests of provider detection and the connection facts.

use super::*;

#[test]
fn providers_and_poolers_from_url_hosts() {
    // (url, provider, pooler mode, direct host)
    let table: &[(&str, Provider, Option<PoolMode>, Option<&str>)] = &[
        (
            "postgres://u:p@ep-cool-1234.us-east-2.aws.neon.tech/neondb",
            Provider::Neon,
            None,
            None,
        ),
        (
            "postgres://u:p@ep-cool-1234-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require",
            Provider::Neon,
            Some(PoolMode::Transaction),
            Some("ep-cool-1234.us-east-2.aws.neon.tech"),
        ),
        (
            "postgres://app:p@ignition-db.flycast:5432/app",
            Provider::FlyPostgres,
            None,
            None,
        ),
        (
            "postgres://app:p@top2.nearest.of.ignition-db.internal:5433/app",
            Provider::FlyPostgres,
            None,
            None,
        ),
        (
            "postgresql://fly-user:p@pgbouncer.abc123.flympg.net/fly-db",
            Provider::FlyManagedPostgres,
            Some(PoolMode::Transaction),
            Some("direct.abc123.flympg.net"),
        ),
        (
            "postgresql://fly-user:p@direct.abc123.flympg.net/fly-db",
            Provider::FlyManagedPostgres,
            None,
            None,
        ),
        (
            "postgres://postgres:p@db.abcdefgh.supabase.co:5432/postgres",
            Provider::Supabase,
            None,
            None,
        ),
        (
            "postgres://postgres.abcdefgh:p@aws-0-us-east-1.pooler.supabase.com:6543/postgres",
            Provider::Supabase,
            Some(PoolMode::Transaction),
            Some("db.abcdefgh.supabase.co"),
        ),
        (
            "postgres://postgres.abcdefgh:p@aws-0-us-east-1.pooler.supabase.com:5432/postgres",
            Provider::Supabase,
            Some(PoolMode::Session),
            Some("db.abcdefgh.supabase.co"),
        ),
        (
            "postgres://u:p@mydb.c9akciq32.us-east-1.rds.amazonaws.com/app",
            Provider::AmazonRds,
            None,
            None,
        ),
        (
            "postgres://u:p@my.cluster-c9akciq32.us-east-1.rds.amazonaws.com/app",
            Provider::AmazonAurora,
            None,
            None,
        ),
        (
            "postgres://u:p@my.proxy-c9akciq32.us-east-1.rds.amazonaws.com/app",
            Provider::AmazonRds,
            Some(PoolMode::Unknown),
            None,
        ),
        (
            "postgres://u:p@localhost/app?host=/cloudsql/proj:us-central1:db",
            Provider::GoogleCloudSql,
            None,
            None,
        ),
        (
            "postgres://u:p@/app?host=/cloudsql/proj:us-central1:db",
            Provider::GoogleCloudSql,
            None,
            None,
        ),
        (
            "postgres://u:p@srv.postgres.database.azure.com:5432/app",
            Provider::Azure,
            None,
            None,
        ),
        (
            "postgres://u:p@srv.postgres.database.azure.com:6432/app",
            Provider::Azure,
            Some(PoolMode::Transaction),
            Some("srv.postgres.database.azure.com:5432"),
        ),
        (
            "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8",
            Provider::Heroku,
            None,
            None,
        ),
        (
            "postgres://u:p@dpg-abc123-a.oregon-postgres.render.com/app",
            Provider::Render,
            None,
            None,
        ),
        (
            "postgres://u:p@dpg-abc123-a/app",
            Provider::Render,
            None,
            None,
        ),
        (
            "postgres://u:p@roundhouse.proxy.rlwy.net:12345/railway",
            Provider::Railway,
            None,
            None,
        ),
        (
            "postgres://u:p@postgres.railway.internal:5432/railway",
            Provider::Railway,
            None,
            None,
        ),
        (
            "postgres://u:p@db-pg-nyc1-1.b.db.ondigitalocean.com:25060/defaultdb",
            Provider::DigitalOcean,
            None,
            None,
        ),
        (
            "postgres://u:p@db-pg-nyc1-1.b.db.ondigitalocean.com:25061/pool",
            Provider::DigitalOcean,
            Some(PoolMode::Unknown),
            None,
        ),
        (
            "postgres://postgres@127.0.0.1:5432/app",
            Provider::Local,
            None,
            None,
        ),
        (
            "postgres://postgres@[::1]:5432/app",
            Provider::Local,
            None,
            None,
        ),
        (
            "postgres://postgres@localhost:6432/app",
            Provider::Local,
            Some(PoolMode::Unknown),
            None,
        ),
        (
            "postgres://u:p@db.example.com/app",
            Provider::Unknown,
            None,
            None,
        ),
        ("sqlite:demo.db", Provider::LocalFile, None, None),
    ];
    for (url, provider, mode, direct) in table {
        let ev = detect(url);
        assert_eq!(ev.provider, *provider, "{url}");
        assert_eq!(ev.pooler.as_ref().map(|p| p.mode), *mode, "{url}");
        assert_eq!(ev.direct_host.as_deref(), *direct, "{url}");
        assert!(!ev.evidence.contains(":p@"), "{url}");
    }
}

#[test]
fn fly_attach_compares_user_and_database() {
    let ev = detect("postgres://ignition_api:p@ignition-db.flycast:5432/ignition_api");
    assert_eq!(ev.fly_attach.as_ref().map(|f| f.matches), Some(true));
    let ev = detect("postgres://ignition_api:p@ignition-db.flycast:5432/postgres");
    assert_eq!(ev.fly_attach.as_ref().map(|f| f.matches), Some(false));
}

#[test]
fn sqlx_lock_key_matches_sqlx_generate_lock_id() {
    // crc32("123456789") is the standard check value 0xCBF43926.
    assert_eq!(
        sqlx_migration_lock_key("123456789"),
        0x3d32ad9e_i64 * 0xCBF43926_i64
    );
    let (hi, lo) = lock_key_halves(0x0123_4567_89ab_cdef);
    assert_eq!((hi, lo), (0x0123_4567, 0x89ab_cdef));
}
