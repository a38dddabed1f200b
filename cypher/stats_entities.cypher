// Count the entities of one case by label (persons, cards, phones, devices...).
// params: case
MATCH (:Case {key: $case})<-[:IN_CASE]-(n)
RETURN labels(n)[0] AS label, count(n) AS n
