// Merge (Person)-[:OWNS]->(BankCard) named by 交易明细 rows (no properties but provenance), from rows
// packed into one string: records split by $rs, fields by $us (person key, card key, src
// comma-separated). Same effect as load_owns_card with an empty `set`.
// params: data, rs, us, case, batch
UNWIND split($data, $rs) AS line
WITH split(line, $us) AS r
MATCH (a:Person {key: r[0]})
MATCH (b:BankCard {key: r[1]})
WITH a, b, split(r[2], ',') AS src
MERGE (a)-[e:OWNS]->(b)
ON CREATE SET e.cases = [$case], e.batches = [$batch], e.src = src
ON MATCH SET e.batches = CASE WHEN $batch IN coalesce(e.batches, []) THEN e.batches ELSE coalesce(e.batches, []) + $batch END,
    e.src = (coalesce(e.src, []) + [s IN src WHERE NOT s IN coalesce(e.src, [])])[..20],
    e.cases = CASE WHEN $case IN coalesce(e.cases, []) THEN e.cases ELSE coalesce(e.cases, []) + $case END
RETURN count(e) AS n
