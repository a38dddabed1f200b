// The import batches an entity came from (case, file), for its provenance.
// params: batches
UNWIND $batches AS b
MATCH (i:ImportBatch {key: b})
RETURN i.key AS batch, i.case AS case, i.file AS file, i.kind AS kind
