// One ImportBatch node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT import_batch_key IF NOT EXISTS FOR (n:ImportBatch) REQUIRE n.key IS UNIQUE
