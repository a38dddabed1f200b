// Create new cash events: (BankCard)-[:CASH]->(CashPoint), direction out (取现) or in (存现).
// params: rows, case, batch
UNWIND $rows AS r
MATCH (a:BankCard {key: r.card})
MATCH (p:CashPoint {key: r.point})
CREATE (a)-[c:CASH {key: r.key, ts: r.ts, time: r.time, amount: r.amount, direction: r.direction,
  serial: r.serial, channel: r.channel, summary: r.summary, src: r.src, cases: [$case], batches: [$batch]}]->(p)
RETURN count(c) AS n
