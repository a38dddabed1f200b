// Gangs: the persons, cards and phones that use, hold or own given devices and phones (hubs already removed).
// params: case, devices, phones
UNWIND $devices AS k
MATCH (d:Device {key: k})<-[r:USES|HOLDS|OWNS|RESERVED]-(x)
WHERE $case IN r.cases
RETURN labels(d)[0] AS dlabel, k AS dkey, type(r) AS type, labels(x)[0] AS label, x.key AS key
UNION ALL
UNWIND $phones AS k
MATCH (d:Phone {key: k})<-[r:USES|HOLDS|OWNS|RESERVED]-(x)
WHERE $case IN r.cases
RETURN labels(d)[0] AS dlabel, k AS dkey, type(r) AS type, labels(x)[0] AS label, x.key AS key
