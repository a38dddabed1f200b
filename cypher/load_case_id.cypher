// Internal id of a case, for the IN_CASE relationships the loader appends with GRAPH.BULK (FalkorDB only).
// params: case
MATCH (c:Case {key: $case})
RETURN id(c) AS id
