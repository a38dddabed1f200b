// Shortest paths between two entities over chosen relationship types, either direction (Neo4j allShortestPaths).
// params: a, b, types, max_len, count
MATCH (a) WHERE id(a) = $a
MATCH (b) WHERE id(b) = $b
MATCH p = allShortestPaths((a)-[*..12]-(b))
WHERE all(r IN relationships(p) WHERE type(r) IN $types) AND length(p) <= $max_len
WITH p LIMIT CASE WHEN $count = 0 THEN 1000 ELSE $count END
RETURN [n IN nodes(p) | {label: labels(n)[0], key: n.key}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).key, from_label: labels(startNode(r))[0],
        to: endNode(r).key, to_label: labels(endNode(r))[0], amount: r.amount, time: r.time}] AS rels
