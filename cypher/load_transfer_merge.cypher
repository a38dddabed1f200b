// Add a side, source rows, case and batch to transfers already stored (the other bank's reply, a
// reload), from rows packed into one string: records split by $rs, fields by $us (from card, to card,
// pair, key, sides and src comma-separated, serial, ip, mac, summary, channel, branch; '' = absent).
// params: data, rs, us, case, batch
UNWIND split($data, $rs) AS line
WITH split(line, $us) AS r
MATCH (:BankCard {key: r[0]})-[t:TRANSFER]->(:BankCard {key: r[1]})
WHERE t.pair = r[2] AND t.key = r[3]
WITH r, t, split(r[4], ',') AS sides, split(r[5], ',') AS rs, coalesce(t.cases, []) AS cs,
     coalesce(t.batches, []) AS bs, coalesce(t.src, []) AS ss, coalesce(t.sides, []) AS sd
SET t.cases = CASE WHEN $case IN cs THEN cs ELSE cs + $case END,
    t.batches = CASE WHEN $batch IN bs THEN bs ELSE bs + $batch END,
    t.src = (ss + [s IN rs WHERE NOT s IN ss])[..20],
    t.sides = sd + [s IN sides WHERE NOT s IN sd],
    t.serial = coalesce(t.serial, CASE r[6] WHEN '' THEN null ELSE r[6] END),
    t.ip = coalesce(t.ip, CASE r[7] WHEN '' THEN null ELSE r[7] END),
    t.mac = coalesce(t.mac, CASE r[8] WHEN '' THEN null ELSE r[8] END),
    t.summary = coalesce(t.summary, CASE r[9] WHEN '' THEN null ELSE r[9] END),
    t.channel = coalesce(t.channel, CASE r[10] WHEN '' THEN null ELSE r[10] END),
    t.branch = coalesce(t.branch, CASE r[11] WHEN '' THEN null ELSE r[11] END)
RETURN count(t) AS n
