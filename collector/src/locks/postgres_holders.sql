-- Every session other than gaps that holds, or waits for, a lock on these relations ($1) or
-- on one of their indexes, with who it is: the sessions a migration's ALTER would queue
-- behind (any lock conflicts with ACCESS EXCLUSIVE, even an idle transaction's ACCESS SHARE).
-- An autovacuum worker is left out unless it runs to prevent wraparound: any other one gives
-- way to a conflicting lock request by itself. pg_locks and pg_stat_activity read shared
-- memory: this takes no relation lock of its own.
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
  AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                    WHERE d.datname = pg_catalog.current_database())
  AND l.pid <> pg_catalog.pg_backend_pid()
  AND coalesce(ix.indrelid, c.oid)::int8 = ANY ($1::int8[])
  AND (a.backend_type IS DISTINCT FROM 'autovacuum worker'
       OR a.query LIKE '%to prevent wraparound%')
ORDER BY 1, l.granted DESC, l.pid, 4
