// Merge bank cards named by 交易明细 rows (only fill-where-missing properties), from rows packed into
// one string: records split by $rs, fields by $us (key, src and batches comma-separated, owner_name, owner_id,
// bank; '' = absent). Same effect as load_card; a packed parameter is ~3x cheaper than a list of maps.
// IN_CASE is merged, not created with `cases`: the column path appends new entities and their
// IN_CASE in two steps, and a load killed between them heals here on its rerun.
// params: data, rs, us, case
UNWIND split($data, $rs) AS line
WITH split(line, $us) AS r
WITH r, CASE r[1] WHEN '' THEN [] ELSE split(r[1], ',') END AS src, split(r[2], ',') AS bs, CASE r[3] WHEN '' THEN null ELSE r[3] END AS owner_name,
     CASE r[4] WHEN '' THEN null ELSE r[4] END AS owner_id, CASE r[5] WHEN '' THEN null ELSE r[5] END AS bank
MERGE (n:BankCard {key: r[0]})
ON CREATE SET n.owner_name = owner_name, n.owner_id = owner_id, n.bank = bank, n.batches = bs, n.src = src
ON MATCH SET n.bank = coalesce(n.bank, bank), n.owner_name = coalesce(n.owner_name, owner_name),
    n.owner_id = coalesce(n.owner_id, owner_id),
    n.batches = coalesce(n.batches, []) + [x IN bs WHERE NOT x IN coalesce(n.batches, [])],
    n.src = (coalesce(n.src, []) + [s IN src WHERE NOT s IN coalesce(n.src, [])])[..20]
SET n.cases = CASE WHEN $case IN coalesce(n.cases, []) THEN n.cases ELSE coalesce(n.cases, []) + $case END
WITH n
MATCH (c:Case {key: $case})
MERGE (n)-[:IN_CASE]->(c)
RETURN count(n) AS n
