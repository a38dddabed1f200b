// Neighbours of a set of entities (keys per label) within one case: one row per entity, neighbour,
// relationship type and direction, transfers aggregated (count, sum, first/last time); time window and minimum amount.
// params: case, persons, cards, phones, devices, reports, cashpoints, types, since, until, min_amount, limit
UNWIND $persons AS k
MATCH (n:Person {key: k})-[r]-(m)
WHERE type(r) IN $types AND $case IN r.cases
  AND (r.ts IS NULL OR (r.ts >= $since AND r.ts <= $until))
  AND (r.amount IS NULL OR r.amount >= $min_amount)
WITH n, m, type(r) AS type, startNode(r) = n AS out, r
RETURN labels(n)[0] AS nlabel, n.key AS nkey, labels(m)[0] AS mlabel, m.key AS mkey, type, out,
       count(r) AS count, sum(r.amount) AS total, min(r.time) AS first, max(r.time) AS last
LIMIT $limit
UNION ALL
UNWIND $cards AS k
MATCH (n:BankCard {key: k})-[r]-(m)
WHERE type(r) IN $types AND $case IN r.cases
  AND (r.ts IS NULL OR (r.ts >= $since AND r.ts <= $until))
  AND (r.amount IS NULL OR r.amount >= $min_amount)
WITH n, m, type(r) AS type, startNode(r) = n AS out, r
RETURN labels(n)[0] AS nlabel, n.key AS nkey, labels(m)[0] AS mlabel, m.key AS mkey, type, out,
       count(r) AS count, sum(r.amount) AS total, min(r.time) AS first, max(r.time) AS last
LIMIT $limit
UNION ALL
UNWIND $phones AS k
MATCH (n:Phone {key: k})-[r]-(m)
WHERE type(r) IN $types AND $case IN r.cases
  AND (r.ts IS NULL OR (r.ts >= $since AND r.ts <= $until))
  AND (r.amount IS NULL OR r.amount >= $min_amount)
WITH n, m, type(r) AS type, startNode(r) = n AS out, r
RETURN labels(n)[0] AS nlabel, n.key AS nkey, labels(m)[0] AS mlabel, m.key AS mkey, type, out,
       count(r) AS count, sum(r.amount) AS total, min(r.time) AS first, max(r.time) AS last
LIMIT $limit
UNION ALL
UNWIND $devices AS k
MATCH (n:Device {key: k})-[r]-(m)
WHERE type(r) IN $types AND $case IN r.cases
  AND (r.ts IS NULL OR (r.ts >= $since AND r.ts <= $until))
  AND (r.amount IS NULL OR r.amount >= $min_amount)
WITH n, m, type(r) AS type, startNode(r) = n AS out, r
RETURN labels(n)[0] AS nlabel, n.key AS nkey, labels(m)[0] AS mlabel, m.key AS mkey, type, out,
       count(r) AS count, sum(r.amount) AS total, min(r.time) AS first, max(r.time) AS last
LIMIT $limit
UNION ALL
UNWIND $reports AS k
MATCH (n:Report {key: k})-[r]-(m)
WHERE type(r) IN $types AND $case IN r.cases
  AND (r.ts IS NULL OR (r.ts >= $since AND r.ts <= $until))
  AND (r.amount IS NULL OR r.amount >= $min_amount)
WITH n, m, type(r) AS type, startNode(r) = n AS out, r
RETURN labels(n)[0] AS nlabel, n.key AS nkey, labels(m)[0] AS mlabel, m.key AS mkey, type, out,
       count(r) AS count, sum(r.amount) AS total, min(r.time) AS first, max(r.time) AS last
LIMIT $limit
UNION ALL
UNWIND $cashpoints AS k
MATCH (n:CashPoint {key: k})-[r]-(m)
WHERE type(r) IN $types AND $case IN r.cases
  AND (r.ts IS NULL OR (r.ts >= $since AND r.ts <= $until))
  AND (r.amount IS NULL OR r.amount >= $min_amount)
WITH n, m, type(r) AS type, startNode(r) = n AS out, r
RETURN labels(n)[0] AS nlabel, n.key AS nkey, labels(m)[0] AS mlabel, m.key AS mkey, type, out,
       count(r) AS count, sum(r.amount) AS total, min(r.time) AS first, max(r.time) AS last
LIMIT $limit
