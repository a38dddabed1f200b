// Gangs: transfers out of given cards aggregated per receiving card, and their cash withdrawals, in one case.
// params: case, keys
UNWIND $keys AS k
MATCH (a:BankCard {key: k})-[t:TRANSFER]->(b:BankCard)
WHERE $case IN t.cases
RETURN a.key AS src, b.key AS dst, 'TRANSFER' AS type, count(t) AS count, sum(t.amount) AS total,
       min(t.ts) AS f, max(t.ts) AS l, min(t.time) AS first, max(t.time) AS last
UNION ALL
UNWIND $keys AS k
MATCH (a:BankCard {key: k})-[t:CASH]->(b:CashPoint)
WHERE $case IN t.cases AND t.direction = 'out'
RETURN a.key AS src, b.key AS dst, 'CASH' AS type, count(t) AS count, sum(t.amount) AS total,
       min(t.ts) AS f, max(t.ts) AS l, min(t.time) AS first, max(t.time) AS last
