// Merge a card's reserved phone number (预留手机号): (BankCard)-[:RESERVED]->(Phone) with properties and provenance.
// params: rows, case, batch
UNWIND $rows AS r
MATCH (a:BankCard {key: r.a})
MATCH (b:Phone {key: r.b})
MERGE (a)-[e:RESERVED]->(b)
ON CREATE SET e += r.set, e.cases = [$case], e.batches = [$batch], e.src = r.src
ON MATCH SET e += r.set, e.batches = CASE WHEN $batch IN coalesce(e.batches, []) THEN e.batches ELSE coalesce(e.batches, []) + $batch END,
    e.src = (coalesce(e.src, []) + [s IN r.src WHERE NOT s IN coalesce(e.src, [])])[..20],
    e.cases = CASE WHEN $case IN coalesce(e.cases, []) THEN e.cases ELSE coalesce(e.cases, []) + $case END
RETURN count(e) AS n
