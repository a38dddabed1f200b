// Record an import batch (one file loaded into one case) and link it to its case.
// params: key, case, file, kind, sha256, now
MATCH (c:Case {key: $case})
MERGE (b:ImportBatch {key: $key})
ON CREATE SET b.case = $case, b.kind = $kind, b.sha256 = $sha256, b.started = $now
SET b.file = $file
MERGE (b)-[:OF_CASE]->(c)
RETURN b.key AS key, b.finished AS finished
