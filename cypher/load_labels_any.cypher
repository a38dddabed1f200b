// Which entity labels hold any node? A load appends the entities of an empty label without
// looking their keys up first (a new case in a new store: the common first load).
// params:
OPTIONAL MATCH (c:BankCard) WITH c LIMIT 1
OPTIONAL MATCH (p:Person) WITH c, p LIMIT 1
OPTIONAL MATCH (d:Device) WITH c, p, d LIMIT 1
RETURN c IS NOT NULL AS cards, p IS NOT NULL AS persons, d IS NOT NULL AS devices
