// load_ids_since with its lists joined: keys by '|' (a key holding one makes the count differ from n, and
// the loader then looks every key up), ids by ','.
// params: first, label
MATCH (n)
WHERE id(n) >= $first AND $label IN labels(n)
WITH collect(n.key) AS keys, collect(toString(id(n))) AS ids
RETURN string.join(keys, '|') AS keys, string.join(ids, ',') AS ids, size(keys) AS n
