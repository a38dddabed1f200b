// The import batches of a case, newest first, for the dashboard and the rejects download.
// params: case, limit
MATCH (b:ImportBatch)-[:OF_CASE]->(:Case {key: $case})
RETURN b.key AS batch, b.file AS file, b.kind AS kind, b.started AS started, b.finished AS finished,
       b.read AS read, b.loaded AS loaded, b.rejected AS rejected, b.rejects AS rejects
ORDER BY b.started DESC
LIMIT $limit
