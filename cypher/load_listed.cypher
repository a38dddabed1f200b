// Record that persons are on a watch list (重点人员) loaded in this case: (Person)-[:LISTED]->(Case).
// params: rows, case, batch
UNWIND $rows AS r
MATCH (a:Person {key: r.a})
MATCH (c:Case {key: $case})
MERGE (a)-[e:LISTED]->(c)
ON CREATE SET e += r.set, e.cases = [$case], e.batches = [$batch], e.src = r.src
ON MATCH SET e += r.set, e.batches = CASE WHEN $batch IN coalesce(e.batches, []) THEN e.batches ELSE coalesce(e.batches, []) + $batch END,
    e.src = (coalesce(e.src, []) + [s IN r.src WHERE NOT s IN coalesce(e.src, [])])[..20]
RETURN count(e) AS n
