// Find transfers already stored with these pair hashes (from, to, amount, time), to merge both sides.
// params: pairs
UNWIND $pairs AS p
MATCH ()-[t:TRANSFER {pair: p}]->()
RETURN p AS pair, t.key AS key, t.sides AS sides
