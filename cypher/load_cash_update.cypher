// Add source rows, case and batch to cash events already stored.
// params: rows, case, batch
UNWIND $rows AS r
MATCH ()-[t:CASH {key: r.key}]->()
WITH t, r, coalesce(t.cases, []) AS cs, coalesce(t.batches, []) AS bs, coalesce(t.src, []) AS ss
SET t.cases = CASE WHEN $case IN cs THEN cs ELSE cs + $case END,
    t.batches = CASE WHEN $batch IN bs THEN bs ELSE bs + $batch END,
    t.src = (ss + [s IN r.src WHERE NOT s IN ss])[..20]
RETURN count(t) AS n
