// Create new transfers (card to card) from rows packed into one string: records split by $rs,
// fields by $us (a, b, key, pair, ts, time, amount, serial, summary, channel, branch, ip, mac,
// sides, src, balance, extra; amounts in fen: FalkorDB's toFloat rounds to single precision); a compact parameter is 30x cheaper to send than a list of maps.
// params: data, rs, us, case, batch
UNWIND split($data, $rs) AS line
WITH split(line, $us) AS r
MATCH (a:BankCard {key: r[0]})
MATCH (b:BankCard {key: r[1]})
CREATE (a)-[:TRANSFER {key: r[2], pair: r[3], ts: toInteger(r[4]), time: r[5], amount: toInteger(r[6]) / 100.0,
  serial: (CASE r[7] WHEN '' THEN null ELSE r[7] END),
  summary: (CASE r[8] WHEN '' THEN null ELSE r[8] END),
  channel: (CASE r[9] WHEN '' THEN null ELSE r[9] END),
  branch: (CASE r[10] WHEN '' THEN null ELSE r[10] END),
  ip: (CASE r[11] WHEN '' THEN null ELSE r[11] END),
  mac: (CASE r[12] WHEN '' THEN null ELSE r[12] END),
  sides: split(r[13], ','), src: split(r[14], ','),
  balance: (CASE r[15] WHEN '' THEN null ELSE toInteger(r[15]) / 100.0 END),
  extra: (CASE r[16] WHEN '' THEN null ELSE r[16] END),
  cases: [$case], batches: [$batch]}]->(b)
RETURN count(*) AS n
