// One entity by key (any label) with its properties and its outgoing relationships, to check a load.
// params: key
MATCH (n {key: $key})
OPTIONAL MATCH (n)-[r]->(m)
RETURN labels(n)[0] AS label, properties(n) AS props,
       collect({type: type(r), to: m.key, props: properties(r)}) AS out
