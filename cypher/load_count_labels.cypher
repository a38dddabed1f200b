// Number of nodes per label in the graph, to check what a load added.
// params:
MATCH (n)
RETURN labels(n)[0] AS label, count(n) AS n
