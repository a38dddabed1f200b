// How many nodes the graph holds (O(1) on FalkorDB): a load reads it before appending entities with
// GRAPH.BULK, whose new nodes then take the ids from there on (FalkorDB only).
// params:
MATCH (n)
RETURN count(n) AS n
