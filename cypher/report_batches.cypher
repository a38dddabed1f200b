// The import batches (files loaded) of a case, oldest first, for the sources section of the case report.
// params: case, limit
MATCH (b:ImportBatch)
WHERE b.case = $case OR (b)-[:OF_CASE]->(:Case {key: $case})
RETURN b.key AS batch, b.file AS file, b.kind AS kind, b.sha256 AS sha256, b.started AS started,
       b.finished AS finished, b.read AS read, b.loaded AS loaded, b.rejected AS rejected
ORDER BY b.started
LIMIT $limit
