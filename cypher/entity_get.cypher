// One entity by type label and key, with its properties and internal id (for path searches).
// params: label, key
MATCH (n:Person {key: $key}) WHERE $label = 'Person'
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props, id(n) AS nid
UNION ALL
MATCH (n:BankCard {key: $key}) WHERE $label = 'BankCard'
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props, id(n) AS nid
UNION ALL
MATCH (n:Phone {key: $key}) WHERE $label = 'Phone'
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props, id(n) AS nid
UNION ALL
MATCH (n:Device {key: $key}) WHERE $label = 'Device'
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props, id(n) AS nid
UNION ALL
MATCH (n:Report {key: $key}) WHERE $label = 'Report'
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props, id(n) AS nid
UNION ALL
MATCH (n:CashPoint {key: $key}) WHERE $label = 'CashPoint'
RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props, id(n) AS nid
