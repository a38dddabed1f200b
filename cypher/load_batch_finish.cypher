// Close an import batch with its counts: read = loaded + rejected, and where the rejects went.
// params: key, now, read, loaded, rejected, rejects
MATCH (b:ImportBatch {key: $key})
SET b.finished = $now, b.read = $read, b.loaded = $loaded, b.rejected = $rejected, b.rejects = $rejects
RETURN b.key AS key
