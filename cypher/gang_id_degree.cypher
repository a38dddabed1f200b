// Gangs and clusters: how many entities use, hold or own each device or phone (to recognise hub identifiers).
// params: case, devices, phones
UNWIND $devices AS k
MATCH (d:Device {key: k})<-[r:USES|HOLDS|OWNS|RESERVED]-(x)
WHERE $case IN r.cases
RETURN labels(d)[0] AS label, k AS key, count(DISTINCT x) AS degree
UNION ALL
UNWIND $phones AS k
MATCH (d:Phone {key: k})<-[r:USES|HOLDS|OWNS|RESERVED]-(x)
WHERE $case IN r.cases
RETURN labels(d)[0] AS label, k AS key, count(DISTINCT x) AS degree
