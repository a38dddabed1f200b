// Trace: how many transfers touch each given card, so hubs (merchants, platforms) are shown but not expanded.
// params: keys
UNWIND $keys AS k
MATCH (c:BankCard {key: k})
OPTIONAL MATCH (c)-[t:TRANSFER]-()
RETURN k AS key, count(t) AS degree
