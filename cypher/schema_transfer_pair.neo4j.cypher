// Index transfers by pair hash: the loader finds the other side of a transfer through it.
// params:
CREATE INDEX transfer_pair IF NOT EXISTS FOR ()-[t:TRANSFER]-() ON (t.pair)
