// Shared-device clusters: money moved by given cards (in and out) within a case, to rank clusters.
// params: case, keys
UNWIND $keys AS k
MATCH (c:BankCard {key: k})-[t:TRANSFER]-(:BankCard)
WHERE $case IN t.cases
RETURN k AS key, sum(t.amount) AS flow, count(t) AS transfers
