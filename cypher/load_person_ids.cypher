// Internal ids of Person nodes, for the relationships the loader appends with GRAPH.BULK (FalkorDB only;
// nothing in pochuan deletes nodes, so an id stays valid while a load runs).
// params: keys
UNWIND $keys AS k
MATCH (n:Person {key: k})
RETURN k AS key, id(n) AS id
