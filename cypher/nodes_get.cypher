// Properties of a set of entities given as keys per label, to describe the nodes of a result.
// params: persons, cards, phones, devices, reports, cashpoints
UNWIND $persons AS k
MATCH (n:Person {key: k})
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props
UNION ALL
UNWIND $cards AS k
MATCH (n:BankCard {key: k})
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props
UNION ALL
UNWIND $phones AS k
MATCH (n:Phone {key: k})
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props
UNION ALL
UNWIND $devices AS k
MATCH (n:Device {key: k})
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props
UNION ALL
UNWIND $reports AS k
MATCH (n:Report {key: k})
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props
UNION ALL
UNWIND $cashpoints AS k
MATCH (n:CashPoint {key: k})
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props
