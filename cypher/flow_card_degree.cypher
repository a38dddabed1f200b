// Seeded flow gangs: distinct transfer counterparties of each listed card (a mule account has few, a merchant many).
// A card seen in this case only has all its transfers in it, so their case lists are not read (15x faster).
// params: case, keys
UNWIND $keys AS k
MATCH (a:BankCard {key: k})
WHERE a.cases = [$case]
MATCH (a)-[:TRANSFER]-(b:BankCard)
WHERE b <> a
RETURN k AS key, count(DISTINCT b) AS degree
UNION ALL
UNWIND $keys AS k
MATCH (a:BankCard {key: k})
WHERE a.cases <> [$case]
MATCH (a)-[t:TRANSFER]-(b:BankCard)
WHERE b <> a AND $case IN t.cases
RETURN k AS key, count(DISTINCT b) AS degree
