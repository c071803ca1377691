-- Tables and views with their columns, in one pass: sqlite_master joined with the
-- table_xinfo pragma (xinfo also shows generated columns; hidden 2 = virtual, 3 = stored).
SELECT m.name, m.type, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
FROM sqlite_master AS m
JOIN pragma_table_xinfo(m.name) AS p
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, p.cid
