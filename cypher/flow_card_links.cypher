// Seeded flow gangs: each listed card's transfer counterparties (either direction) with the times of their transfers.
// params: case, keys, limit
UNWIND $keys AS k
MATCH (a:BankCard {key: k})-[t:TRANSFER]-(b:BankCard)
WHERE $case IN t.cases AND b.key <> k
RETURN k AS key, b.key AS other, collect(t.ts) AS times
LIMIT $limit
