// Trace, one hop downstream: transfers out of frontier cards between each card's window bounds (time-respecting).
// params: case, frontier, min_amount, limit
UNWIND $frontier AS f
MATCH (a:BankCard {key: f.key})-[t:TRANSFER]->(b:BankCard)
WHERE t.ts >= f.lo AND t.ts <= f.hi AND t.amount >= $min_amount AND $case IN t.cases
RETURN a.key AS src, b.key AS dst, t.ts AS ts, t.time AS time, t.amount AS amount
LIMIT $limit
