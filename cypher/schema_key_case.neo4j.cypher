// One Case node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT case_key IF NOT EXISTS FOR (n:Case) REQUIRE n.key IS UNIQUE
