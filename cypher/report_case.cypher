// The case node's title and creation time, for the case report's first page.
// params: case
MATCH (c:Case {key: $case})
RETURN c.key AS key, c.title AS title, c.created AS created
