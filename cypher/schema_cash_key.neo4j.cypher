// Index cash events by key: reloads find them instead of adding them again.
// params:
CREATE INDEX cash_key IF NOT EXISTS FOR ()-[c:CASH]-() ON (c.key)
