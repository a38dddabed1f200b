// Gangs: every card seized from (held by) given persons, the 卡商 signal.
// params: case, keys
UNWIND $keys AS k
MATCH (p:Person {key: k})-[r:HOLDS]->(c:BankCard)
WHERE $case IN r.cases
RETURN k AS person, c.key AS card
