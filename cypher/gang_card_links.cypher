// Gangs: owners, holders, devices, SIMs and reserved phones of a set of cards, in one case.
// params: case, keys
UNWIND $keys AS k
MATCH (c:BankCard {key: k})-[r:OWNS|HOLDS|USES|RESERVED]-(x)
WHERE $case IN r.cases
RETURN k AS card, type(r) AS type, labels(x)[0] AS label, x.key AS key, startNode(r) = c AS out
