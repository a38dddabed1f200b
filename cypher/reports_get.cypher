// Victim reports by key (or every report of the case when keys is empty), with the cards they name.
// params: case, keys
MATCH (r:Report)-[:IN_CASE]->(:Case {key: $case})
WHERE size($keys) = 0 OR r.key IN $keys
OPTIONAL MATCH (r)-[:PAID_TO]->(to:BankCard)
OPTIONAL MATCH (r)-[:PAID_FROM]->(fr:BankCard)
OPTIONAL MATCH (v:Person)-[:FILED]->(r)
RETURN r.key AS key, r.amount AS amount, r.ts AS ts, r.time AS time, to.key AS to_card, fr.key AS from_card,
       v.key AS victim, coalesce(v.name, r.victim_name) AS victim_name
