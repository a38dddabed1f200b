// Keys and internal ids of the nodes of a label from id $first on, and how many (FalkorDB only: an id range
// seek). A load appends new entities with GRAPH.BULK and reads their ids here in one pass instead of a lookup
// per key; a key it does not find (an id reused after a deletion lies below $first) is looked up by key.
// The FalkorDB variant returns both lists joined into one string each: ~3x faster to send and parse.
// params: first, label
MATCH (n)
WHERE id(n) >= $first AND $label IN labels(n)
WITH collect(n.key) AS keys, collect(id(n)) AS ids
RETURN keys, ids, size(keys) AS n
