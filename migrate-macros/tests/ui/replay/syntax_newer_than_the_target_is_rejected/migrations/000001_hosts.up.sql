CREATE TABLE hosts (id int, name text);
CREATE UNIQUE INDEX hosts_name ON hosts (name) NULLS NOT DISTINCT;
