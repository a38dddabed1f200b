// Merge (BankCard)-[:USES]->(Device) seen in 交易明细 rows, from rows packed into one string: records
// split by $rs, fields by $us (card, device, first, last, count, mark, src comma-separated; '' =
// absent). Same effect as load_uses_card_device: first/last time, a count added once per mark.
// params: data, rs, us, case, batch
UNWIND split($data, $rs) AS line
WITH split(line, $us) AS r
MATCH (a:BankCard {key: r[0]})
MATCH (b:Device {key: r[1]})
WITH a, b, r, CASE r[2] WHEN '' THEN null ELSE r[2] END AS first, CASE r[3] WHEN '' THEN null ELSE r[3] END AS last,
     toInteger(r[4]) AS n, r[5] AS mark, split(r[6], ',') AS src
MERGE (a)-[e:USES]->(b)
ON CREATE SET e.first = first, e.last = last, e.count = n, e.marks = [mark], e.cases = [$case],
    e.batches = [$batch], e.src = src
ON MATCH SET e.first = CASE WHEN e.first IS NULL OR first < e.first THEN first ELSE e.first END,
    e.last = CASE WHEN e.last IS NULL OR last > e.last THEN last ELSE e.last END,
    e.count = CASE WHEN mark IN coalesce(e.marks, []) THEN e.count ELSE coalesce(e.count, 0) + n END,
    e.marks = CASE WHEN mark IN coalesce(e.marks, []) THEN e.marks ELSE coalesce(e.marks, []) + mark END,
    e.batches = CASE WHEN $batch IN coalesce(e.batches, []) THEN e.batches ELSE coalesce(e.batches, []) + $batch END,
    e.src = (coalesce(e.src, []) + [s IN src WHERE NOT s IN coalesce(e.src, [])])[..20],
    e.cases = CASE WHEN $case IN coalesce(e.cases, []) THEN e.cases ELSE coalesce(e.cases, []) + $case END
RETURN count(e) AS n
