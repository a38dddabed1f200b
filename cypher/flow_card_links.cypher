// Seeded flow gangs: each listed card's transfer counterparties (either direction) with the times of their transfers.
// A card seen in this case only has all its transfers in it, so their case lists are not read.
// params: case, keys, limit
UNWIND $keys AS k
MATCH (a:BankCard {key: k})
WHERE a.cases = [$case]
MATCH (a)-[t:TRANSFER]-(b:BankCard)
WHERE b <> a
RETURN k AS key, b.key AS other, collect(t.ts) AS times
LIMIT $limit
UNION ALL
UNWIND $keys AS k
MATCH (a:BankCard {key: k})
WHERE a.cases <> [$case]
MATCH (a)-[t:TRANSFER]-(b:BankCard)
WHERE b <> a AND $case IN t.cases
RETURN k AS key, b.key AS other, collect(t.ts) AS times
LIMIT $limit
