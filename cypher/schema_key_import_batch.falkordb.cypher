// Index ImportBatch nodes by their lookup key (the unique constraint is added by GRAPH.CONSTRAINT).
// params:
CREATE INDEX FOR (n:ImportBatch) ON (n.key)
