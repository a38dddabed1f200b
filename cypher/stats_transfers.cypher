// Count the distinct card-to-card transfers and the cash events recorded in one case.
// params: case
MATCH (a:BankCard)-[:IN_CASE]->(:Case {key: $case})
OPTIONAL MATCH (a)-[t:TRANSFER]->(:BankCard)
WHERE $case IN t.cases
WITH a, count(t) AS tx
OPTIONAL MATCH (a)-[c:CASH]->(:CashPoint)
WHERE $case IN c.cases
WITH a, tx, count(c) AS cash
RETURN sum(tx) AS transfers, sum(cash) AS cash
