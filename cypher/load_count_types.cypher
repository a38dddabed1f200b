// Number of relationships per type in the graph, to check what a load added.
// params:
MATCH ()-[r]->()
RETURN type(r) AS type, count(r) AS n
