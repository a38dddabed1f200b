// Is any transfer stored? The loader then needs the set of pair keys before it can skip lookups.
// params:
MATCH ()-[t:TRANSFER]->()
RETURN t.pair AS pair
LIMIT 1
