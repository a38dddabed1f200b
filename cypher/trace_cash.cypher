// Cash withdrawals from traced cards, to show where traced money left the banking system (取现).
// params: case, keys
UNWIND $keys AS k
MATCH (a:BankCard {key: k})-[c:CASH]->(p:CashPoint)
WHERE $case IN c.cases AND c.direction = 'out'
RETURN a.key AS card, p.key AS point, p.name AS name, count(c) AS count, sum(c.amount) AS total,
       min(c.time) AS first, max(c.time) AS last, min(c.ts) AS first_ts
