// Merge devices (IMEI, MAC, IP, U盾) by key: properties (set overwrites, fill only where missing), provenance, IN_CASE.
// params: rows, case, batch
UNWIND $rows AS r
MERGE (n:Device {key: r.key})
SET n += r.set
SET n.kind = coalesce(n.kind, r.fill.kind)
WITH n, r, coalesce(n.cases, []) AS cs, coalesce(n.batches, []) AS bs, coalesce(n.src, []) AS ss
SET n.cases = CASE WHEN $case IN cs THEN cs ELSE cs + $case END,
    n.batches = CASE WHEN $batch IN bs THEN bs ELSE bs + $batch END,
    n.src = (ss + [s IN r.src WHERE NOT s IN ss])[..20]
WITH n, cs
MATCH (c:Case {key: $case})
FOREACH (_ IN CASE WHEN $case IN cs THEN [] ELSE [1] END | MERGE (n)-[:IN_CASE]->(c))
RETURN count(n) AS n
