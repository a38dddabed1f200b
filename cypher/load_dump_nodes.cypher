// Every node with its label and properties: lets tests compare a reloaded graph with a clean load.
// params: limit
MATCH (n)
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props
ORDER BY label, key
LIMIT $limit
