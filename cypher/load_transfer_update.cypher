// Add a side, source rows, case and batch to transfers already stored (the other bank's reply, a reload).
// params: rows, case, batch
UNWIND $rows AS r
MATCH ()-[t:TRANSFER {pair: r.pair}]->()
WHERE t.key = r.key
WITH t, r, coalesce(t.cases, []) AS cs, coalesce(t.batches, []) AS bs, coalesce(t.src, []) AS ss,
     coalesce(t.sides, []) AS sd
SET t.cases = CASE WHEN $case IN cs THEN cs ELSE cs + $case END,
    t.batches = CASE WHEN $batch IN bs THEN bs ELSE bs + $batch END,
    t.src = (ss + [s IN r.src WHERE NOT s IN ss])[..20],
    t.sides = sd + [s IN r.sides WHERE NOT s IN sd],
    t.serial = coalesce(t.serial, r.serial), t.ip = coalesce(t.ip, r.ip), t.mac = coalesce(t.mac, r.mac),
    t.summary = coalesce(t.summary, r.summary), t.channel = coalesce(t.channel, r.channel),
    t.branch = coalesce(t.branch, r.branch)
RETURN count(t) AS n
