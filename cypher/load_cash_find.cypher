// Find cash events (取现/存现) already stored with these keys.
// params: keys
UNWIND $keys AS k
MATCH ()-[c:CASH {key: k}]->()
RETURN k AS key
