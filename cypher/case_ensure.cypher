// Create a case if it does not exist yet.
// params: case, title, now
MERGE (c:Case {key: $case})
ON CREATE SET c.title = $title, c.created = $now
RETURN c.key AS key
