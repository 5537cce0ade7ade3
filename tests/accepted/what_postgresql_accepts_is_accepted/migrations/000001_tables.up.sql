-- Tables, a trigger function, an expression index with PostgreSQL's own name.
CREATE TABLE hosts (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'h', rack int);
CREATE TABLE samples (host_id int REFERENCES hosts (id), at timestamp, n int);
CREATE INDEX ON hosts (lower(name));
DROP INDEX hosts_lower_idx;
ALTER TABLE hosts ALTER COLUMN name SET DEFAULT NULL;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER hosts_touch BEFORE UPDATE ON hosts FOR EACH ROW EXECUTE FUNCTION touch();
