// Internal ids of CashPoint nodes, for the cash events the loader appends with GRAPH.BULK (FalkorDB only).
// One row: the ids in the order of $keys, -1 for a key not stored.
// params: keys
UNWIND $keys AS k
OPTIONAL MATCH (p:CashPoint {key: k})
RETURN collect(coalesce(id(p), -1)) AS ids
