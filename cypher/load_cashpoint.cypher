// Merge cash points (ATM or branch) by key: properties (set overwrites, fill only where missing), provenance
// (batches, source rows), and once per case the case in `cases` with an IN_CASE relationship.
// params: rows, case, batch
UNWIND $rows AS r
MERGE (n:CashPoint {key: r.key})
ON CREATE SET n += r.set, n.batches = [$batch], n.src = r.src
ON MATCH SET n += r.set, n.batches = CASE WHEN $batch IN coalesce(n.batches, []) THEN n.batches ELSE coalesce(n.batches, []) + $batch END,
    n.src = (coalesce(n.src, []) + [s IN r.src WHERE NOT s IN coalesce(n.src, [])])[..20]
WITH n WHERE n.cases IS NULL OR NOT $case IN n.cases
SET n.cases = coalesce(n.cases, []) + $case
WITH n
MATCH (c:Case {key: $case})
CREATE (n)-[:IN_CASE]->(c)
RETURN count(n) AS n
