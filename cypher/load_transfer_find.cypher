// Find transfers already stored between two cards with these pair hashes (from, to, amount, time),
// to merge both sides (or recognise a row loaded before: its source row or serial). Found through the cards' key index: no index on transfers is kept (one
// slowed every appended transfer by half).
// params: rows
UNWIND $rows AS r
MATCH (:BankCard {key: r.a})-[t:TRANSFER]->(:BankCard {key: r.b})
WHERE t.pair = r.pair
RETURN r.pair AS pair, t.key AS key, t.sides AS sides, t.src AS src, t.serial AS serial
