// A cheap fingerprint of a case's data (import batches and the last one finished), to know when cached results are stale.
// params: case
MATCH (b:ImportBatch)-[:OF_CASE]->(:Case {key: $case})
RETURN count(b) AS batches, max(b.finished) AS finished
