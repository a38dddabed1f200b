// One Phone node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT phone_key IF NOT EXISTS FOR (n:Phone) REQUIRE n.key IS UNIQUE
