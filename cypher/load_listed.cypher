// Record that persons are on a watch list (重点人员) loaded in this case: (Person)-[:LISTED]->(Case).
// params: rows, case, batch
UNWIND $rows AS r
MATCH (a:Person {key: r.a})
MATCH (c:Case {key: $case})
MERGE (a)-[e:LISTED]->(c)
SET e += r.set
WITH e, r, coalesce(e.cases, []) AS cs, coalesce(e.batches, []) AS bs, coalesce(e.src, []) AS ss
SET e.cases = CASE WHEN $case IN cs THEN cs ELSE cs + $case END,
    e.batches = CASE WHEN $batch IN bs THEN bs ELSE bs + $batch END,
    e.src = (ss + [s IN r.src WHERE NOT s IN ss])[..20]
RETURN count(e) AS n
