// Merge (Person)-[:OWNS]->(BankCard) named by 交易明细 rows (no properties but provenance), from rows
// packed into one string: records split by $rs, fields by $us (person key, card key, src and
// batches comma-separated). Same effect as load_owns_card with an empty `set`.
// params: data, rs, us, case
UNWIND split($data, $rs) AS line
WITH split(line, $us) AS r
MATCH (a:Person {key: r[0]})
MATCH (b:BankCard {key: r[1]})
WITH a, b, CASE r[2] WHEN '' THEN [] ELSE split(r[2], ',') END AS src, split(r[3], ',') AS bs
MERGE (a)-[e:OWNS]->(b)
ON CREATE SET e.cases = [$case], e.batches = bs, e.src = src
ON MATCH SET e.batches = coalesce(e.batches, []) + [x IN bs WHERE NOT x IN coalesce(e.batches, [])],
    e.src = (coalesce(e.src, []) + [s IN src WHERE NOT s IN coalesce(e.src, [])])[..20],
    e.cases = CASE WHEN $case IN coalesce(e.cases, []) THEN e.cases ELSE coalesce(e.cases, []) + $case END
RETURN count(e) AS n
