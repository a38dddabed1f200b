// Seeded flow gangs: distinct transfer counterparties of each listed card (a mule account has few, a merchant many).
// params: case, keys
UNWIND $keys AS k
MATCH (a:BankCard {key: k})-[t:TRANSFER]-(b:BankCard)
WHERE $case IN t.cases AND b.key <> k
RETURN k AS key, count(DISTINCT b.key) AS degree
