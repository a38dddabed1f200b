// One CashPoint node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT cash_point_key IF NOT EXISTS FOR (n:CashPoint) REQUIRE n.key IS UNIQUE
