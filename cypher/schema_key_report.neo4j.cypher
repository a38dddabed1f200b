// One Report node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT report_key IF NOT EXISTS FOR (n:Report) REQUIRE n.key IS UNIQUE
