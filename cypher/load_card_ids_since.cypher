// Keys and internal ids of the BankCard nodes from id $first on (FalkorDB only: a label and id range scan).
// A load appends new entities with GRAPH.BULK and reads their ids here in one pass instead of a lookup per
// key; a key it does not find (an id reused after a deletion lies below $first) is looked up by key.
// params: first
MATCH (c:BankCard)
WHERE id(c) >= $first
RETURN collect(c.key) AS keys, collect(id(c)) AS ids
