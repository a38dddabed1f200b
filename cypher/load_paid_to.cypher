// Merge the card a victim paid to: (Report)-[:PAID_TO]->(BankCard) with properties and provenance.
// params: rows, case, batch
UNWIND $rows AS r
MATCH (a:Report {key: r.a})
MATCH (b:BankCard {key: r.b})
MERGE (a)-[e:PAID_TO]->(b)
SET e += r.set
WITH e, r, coalesce(e.cases, []) AS cs, coalesce(e.batches, []) AS bs, coalesce(e.src, []) AS ss
SET e.cases = CASE WHEN $case IN cs THEN cs ELSE cs + $case END,
    e.batches = CASE WHEN $batch IN bs THEN bs ELSE bs + $batch END,
    e.src = (ss + [s IN r.src WHERE NOT s IN ss])[..20]
RETURN count(e) AS n
