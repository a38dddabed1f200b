// Index transfers by pair hash: the loader finds the other side of a transfer through it.
// params:
CREATE INDEX FOR ()-[t:TRANSFER]-() ON (t.pair)
