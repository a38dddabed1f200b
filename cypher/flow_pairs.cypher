// Flow-only gangs: every card-to-card transfer of a case, aggregated per ordered pair of cards.
// params: case
MATCH (a:BankCard)-[t:TRANSFER]->(b:BankCard)
WHERE $case IN t.cases
RETURN a.key AS src, b.key AS dst, count(t) AS count, sum(t.amount) AS total, min(t.time) AS first, max(t.time) AS last
