// Index persons by name, for search by name.
// params:
CREATE INDEX FOR (p:Person) ON (p.name)
