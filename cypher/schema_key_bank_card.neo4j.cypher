// One BankCard node per key: a uniqueness constraint, which also indexes the key.
// params:
CREATE CONSTRAINT bank_card_key IF NOT EXISTS FOR (n:BankCard) REQUIRE n.key IS UNIQUE
