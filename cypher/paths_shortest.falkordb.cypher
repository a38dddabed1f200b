// Shortest paths between two entities over chosen relationship types, either direction (FalkorDB's algo.SPpaths).
// params: a, b, types, max_len, count
MATCH (a) WHERE id(a) = $a
MATCH (b) WHERE id(b) = $b
CALL algo.SPpaths({sourceNode: a, targetNode: b, relTypes: $types, relDirection: 'both', maxLen: $max_len, pathCount: $count})
YIELD path
RETURN [n IN nodes(path) | {label: labels(n)[0], key: n.key}] AS nodes,
       [r IN relationships(path) | {type: type(r), from: startNode(r).key, from_label: labels(startNode(r))[0],
        to: endNode(r).key, to_label: labels(endNode(r))[0], amount: r.amount, time: r.time}] AS rels
