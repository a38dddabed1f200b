// Alerts: cards seized from (held by) a person other than their registered owner, the 卡商 signal.
// params: case
MATCH (h:Person)-[r:HOLDS]->(c:BankCard)
WHERE $case IN r.cases
OPTIONAL MATCH (o:Person)-[:OWNS]->(c)
WITH h, c, r, collect(o.key) AS owners
WHERE (size(owners) > 0 AND NOT h.key IN owners) OR (size(owners) = 0 AND c.owner_id IS NOT NULL AND c.owner_id <> h.key)
RETURN h.key AS holder, h.name AS holder_name, c.key AS card, c.bank AS bank,
       coalesce(owners[0], c.owner_id) AS owner, c.owner_name AS owner_name, r.time AS time, r.place AS place
