// Alerts: persons of a case who own at least $min_cards cards, with each card's bank and opening time (警银通 check).
// params: case, min_cards
MATCH (p:Person)-[r:OWNS]->(c:BankCard)
WHERE $case IN r.cases
WITH p, collect(DISTINCT {card: c.key, bank: c.bank, opened: c.opened}) AS cards
WHERE size(cards) >= $min_cards
RETURN p.key AS person, p.name AS name, cards
