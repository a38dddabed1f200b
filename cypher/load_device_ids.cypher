// Internal ids of Device nodes, for the relationships the loader appends with GRAPH.BULK (FalkorDB only;
// nothing in pochuan deletes nodes, so an id stays valid while a load runs).
// One row: the ids in the order of $keys, -1 for a key not stored (one list parses ~2x faster than rows).
// params: keys
UNWIND $keys AS k
OPTIONAL MATCH (n:Device {key: k})
RETURN collect(coalesce(id(n), -1)) AS ids
