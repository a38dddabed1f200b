// One Person node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT person_key IF NOT EXISTS FOR (n:Person) REQUIRE n.key IS UNIQUE
