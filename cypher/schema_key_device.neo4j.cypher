// One Device node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT device_key IF NOT EXISTS FOR (n:Device) REQUIRE n.key IS UNIQUE
