-- Every index with its key columns (NULL name = an expression) and its CREATE text (NULL for
-- the automatic indexes behind PRIMARY KEY and UNIQUE constraints).
SELECT m.name, il.name, il."unique", il.origin, ii.seqno, ii.name, s.sql
FROM sqlite_master AS m
JOIN pragma_index_list(m.name) AS il
JOIN pragma_index_info(il.name) AS ii
LEFT JOIN sqlite_master AS s ON s.type = 'index' AND s.name = il.name
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, il.name, ii.seqno
