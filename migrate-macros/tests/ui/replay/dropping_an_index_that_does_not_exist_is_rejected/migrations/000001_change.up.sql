CREATE TABLE hosts (id int);
CREATE INDEX hosts_id_idx ON hosts (id);
