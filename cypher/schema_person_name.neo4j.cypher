// Index persons by name, for search by name.
// params:
CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)
