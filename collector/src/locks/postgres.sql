-- Relations of this database on which another session holds, or queues for, a lock that
-- conflicts with the ACCESS SHARE lock a catalog read or a describe takes (only ACCESS
-- EXCLUSIVE does; a queued one blocks later requests too), with who it is. A locked index is
-- reported as its table (whose catalogs are then left out whole). pg_locks and
-- pg_stat_activity read shared memory: this takes no relation lock of its own.
SELECT coalesce(ix.indrelid, c.oid)::int8, n.nspname::text, coalesce(t.relname, c.relname)::text,
       CASE WHEN ix.indexrelid IS NULL THEN l.mode
            ELSE l.mode || ' on index ' || c.relname END::text,
       l.granted, l.pid::int8,
       a.usename::text, a.application_name::text, a.state::text,
       extract(epoch FROM pg_catalog.clock_timestamp()
                          - coalesce(a.xact_start, a.query_start))::float8,
       left(a.query, 200),
       CASE WHEN NOT l.granted THEN pg_catalog.pg_blocking_pids(l.pid)::int8[] END
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_class c ON c.oid = l.relation
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.oid
LEFT JOIN pg_catalog.pg_class t ON t.oid = ix.indrelid
LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation'
  AND l.mode = 'AccessExclusiveLock'
  AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                    WHERE d.datname = pg_catalog.current_database())
  AND l.pid <> pg_catalog.pg_backend_pid()
ORDER BY 1, l.granted DESC, l.pid
