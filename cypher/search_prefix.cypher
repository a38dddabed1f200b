// Search: entities of a case whose key (card, phone, ID, IMEI/MAC/IP) or name starts with a text; index range scans.
// params: case, lo, hi, limit
MATCH (n:BankCard) WHERE n.key >= $lo AND n.key < $hi AND $case IN n.cases
RETURN labels(n)[0] AS label, n.key AS key, 'key' AS field, properties(n) AS props LIMIT $limit
UNION ALL
MATCH (n:Person) WHERE n.key >= $lo AND n.key < $hi AND $case IN n.cases
RETURN labels(n)[0] AS label, n.key AS key, 'key' AS field, properties(n) AS props LIMIT $limit
UNION ALL
MATCH (n:Phone) WHERE n.key >= $lo AND n.key < $hi AND $case IN n.cases
RETURN labels(n)[0] AS label, n.key AS key, 'key' AS field, properties(n) AS props LIMIT $limit
UNION ALL
MATCH (n:Device) WHERE n.key >= $lo AND n.key < $hi AND $case IN n.cases
RETURN labels(n)[0] AS label, n.key AS key, 'key' AS field, properties(n) AS props LIMIT $limit
UNION ALL
MATCH (n:Person) WHERE n.name >= $lo AND n.name < $hi AND $case IN n.cases
RETURN labels(n)[0] AS label, n.key AS key, 'name' AS field, properties(n) AS props LIMIT $limit
