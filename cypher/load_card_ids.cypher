// Internal ids of cards, for the relationships the loader appends with GRAPH.BULK (used on FalkorDB
// only; nothing in pochuan deletes nodes, so an id stays valid while a load runs).
// params: keys
UNWIND $keys AS k
MATCH (c:BankCard {key: k})
RETURN k AS key, id(c) AS id
