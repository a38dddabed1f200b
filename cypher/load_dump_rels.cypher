// Every relationship with its end keys and properties: lets tests compare graphs after loads.
// params: limit
MATCH (a)-[r]->(b)
RETURN labels(a)[0] AS from_label, a.key AS from_key, type(r) AS type, labels(b)[0] AS to_label, b.key AS to_key,
       properties(r) AS props
ORDER BY from_label, from_key, type, to_label, to_key
LIMIT $limit
