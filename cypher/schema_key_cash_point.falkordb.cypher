// Index CashPoint nodes by their lookup key (the unique constraint is added by GRAPH.CONSTRAINT).
// params:
CREATE INDEX FOR (n:CashPoint) ON (n.key)
