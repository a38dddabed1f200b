// Internal ids of cards, for the relationships the loader appends with GRAPH.BULK (used on FalkorDB
// only; nothing in pochuan deletes nodes, so an id stays valid while a load runs).
// One row: the ids in the order of $keys, -1 for a key not stored (one list parses ~2x faster than rows).
// params: keys
UNWIND $keys AS k
OPTIONAL MATCH (c:BankCard {key: k})
RETURN collect(coalesce(id(c), -1)) AS ids
