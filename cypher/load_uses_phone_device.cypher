// Merge (Phone)-[:USES]->(Device): first and last time seen, a count added once per chunk (mark), provenance.
// params: rows, case, batch
UNWIND $rows AS r
MATCH (a:Phone {key: r.a})
MATCH (b:Device {key: r.b})
MERGE (a)-[e:USES]->(b)
ON CREATE SET e.first = r.first, e.last = r.last, e.count = r.n, e.marks = [r.mark], e.cases = [$case],
    e.batches = [$batch], e.src = r.src
ON MATCH SET e.first = CASE WHEN e.first IS NULL OR r.first < e.first THEN r.first ELSE e.first END,
    e.last = CASE WHEN e.last IS NULL OR r.last > e.last THEN r.last ELSE e.last END,
    e.count = CASE WHEN r.mark IN coalesce(e.marks, []) THEN e.count ELSE coalesce(e.count, 0) + r.n END,
    e.marks = CASE WHEN r.mark IN coalesce(e.marks, []) THEN e.marks ELSE coalesce(e.marks, []) + r.mark END,
    e.batches = CASE WHEN $batch IN coalesce(e.batches, []) THEN e.batches ELSE coalesce(e.batches, []) + $batch END,
    e.src = (coalesce(e.src, []) + [s IN r.src WHERE NOT s IN coalesce(e.src, [])])[..20],
    e.cases = CASE WHEN $case IN coalesce(e.cases, []) THEN e.cases ELSE coalesce(e.cases, []) + $case END
RETURN count(e) AS n
