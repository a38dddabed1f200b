// Merge devices named by 交易明细 rows (IP, MAC; kind filled where missing), from rows packed into
// one string: records split by $rs, fields by $us (key, src and batches comma-separated, kind; '' = absent).
// Same effect as load_device; a packed parameter is ~3x cheaper than a list of maps.
// IN_CASE is merged, not created with `cases`: the column path appends new entities and their
// IN_CASE in two steps, and a load killed between them heals here on its rerun.
// params: data, rs, us, case
UNWIND split($data, $rs) AS line
WITH split(line, $us) AS r
WITH r, CASE r[1] WHEN '' THEN [] ELSE split(r[1], ',') END AS src, split(r[2], ',') AS bs, CASE r[3] WHEN '' THEN null ELSE r[3] END AS kind
MERGE (n:Device {key: r[0]})
ON CREATE SET n.kind = kind, n.batches = bs, n.src = src
ON MATCH SET n.kind = coalesce(n.kind, kind),
    n.batches = coalesce(n.batches, []) + [x IN bs WHERE NOT x IN coalesce(n.batches, [])],
    n.src = (coalesce(n.src, []) + [s IN src WHERE NOT s IN coalesce(n.src, [])])[..20]
SET n.cases = CASE WHEN $case IN coalesce(n.cases, []) THEN n.cases ELSE coalesce(n.cases, []) + $case END
WITH n
MATCH (c:Case {key: $case})
MERGE (n)-[:IN_CASE]->(c)
RETURN count(n) AS n
