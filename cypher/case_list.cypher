// List the cases in the store with their titles and creation times.
// params: limit
MATCH (c:Case)
RETURN c.key AS key, c.title AS title, c.created AS created
ORDER BY c.key
LIMIT $limit
