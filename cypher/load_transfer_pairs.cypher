// Page through the pair keys of every stored transfer, to rebuild the loader's set of pair keys.
// params: skip, limit
MATCH ()-[t:TRANSFER]->()
RETURN t.pair AS pair
ORDER BY pair
SKIP $skip
LIMIT $limit
