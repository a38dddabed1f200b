// Gangs: distinct transfer counterparties of given cards, to recognise hubs (merchants, employers, platforms).
// params: keys
UNWIND $keys AS k
MATCH (c:BankCard {key: k})
OPTIONAL MATCH (c)<-[:TRANSFER]-(s:BankCard)
WITH c, k, count(DISTINCT s) AS ins
OPTIONAL MATCH (c)-[:TRANSFER]->(d:BankCard)
RETURN k AS key, ins, count(DISTINCT d) AS outs
