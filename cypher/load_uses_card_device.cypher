// Merge (BankCard)-[:USES]->(Device): first and last time seen, a count added once per chunk (mark), provenance.
// params: rows, case, batch
UNWIND $rows AS r
MATCH (a:BankCard {key: r.a})
MATCH (b:Device {key: r.b})
MERGE (a)-[e:USES]->(b)
WITH e, r, coalesce(e.marks, []) AS mk
SET e.first = CASE WHEN e.first IS NULL OR r.first < e.first THEN r.first ELSE e.first END,
    e.last = CASE WHEN e.last IS NULL OR r.last > e.last THEN r.last ELSE e.last END,
    e.count = CASE WHEN r.mark IN mk THEN e.count ELSE coalesce(e.count, 0) + r.n END,
    e.marks = CASE WHEN r.mark IN mk THEN mk ELSE mk + r.mark END
WITH e, r, coalesce(e.cases, []) AS cs, coalesce(e.batches, []) AS bs, coalesce(e.src, []) AS ss
SET e.cases = CASE WHEN $case IN cs THEN cs ELSE cs + $case END,
    e.batches = CASE WHEN $batch IN bs THEN bs ELSE bs + $batch END,
    e.src = (ss + [s IN r.src WHERE NOT s IN ss])[..20]
RETURN count(e) AS n
