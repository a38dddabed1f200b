// Shared-device clusters: every device or phone used by (or reserved for) two or more entities of a case;
// the users ('Label|key,' joined in one string, cheaper to send) are listed only up to $hub, so hub
// identifiers (public Wi-Fi) come back with their degree alone.
// params: case, hub
MATCH (x)-[r:USES|RESERVED]->(d)
WHERE $case IN r.cases AND (d:Device OR d:Phone)
WITH d, collect(DISTINCT labels(x)[0] + '|' + x.key) AS users
WHERE size(users) >= 2
RETURN labels(d)[0] AS label, d.key AS key, d.kind AS kind, size(users) AS degree,
       CASE WHEN size(users) <= $hub THEN reduce(s = '', u IN users | s + u + ',') ELSE '' END AS users
