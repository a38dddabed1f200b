// Alerts: persons of a case who are on a loaded watch list (重点人员), in this case or another.
// params: case
MATCH (p:Person)-[l:LISTED]->(c:Case)
WHERE $case IN p.cases
RETURN p.key AS person, p.name AS name, c.key AS listed_in, l.category AS category, l.source AS source
