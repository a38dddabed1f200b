// Alerts: entities of a case that also appear in other cases (串并案 leads).
// params: case
MATCH (c:Case {key: $case})<-[:IN_CASE]-(n)-[:IN_CASE]->(o:Case)
WHERE o.key <> $case
RETURN labels(n)[0] AS label, n.key AS key, collect(DISTINCT o.key) AS cases
