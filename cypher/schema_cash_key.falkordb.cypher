// Index cash events by key: reloads find them instead of adding them again.
// params:
CREATE INDEX FOR ()-[c:CASH]-() ON (c.key)
