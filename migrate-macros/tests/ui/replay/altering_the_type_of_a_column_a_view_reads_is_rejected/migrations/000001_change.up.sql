CREATE TABLE hosts (id int PRIMARY KEY, cores int NOT NULL);
CREATE VIEW host_cores AS SELECT id, cores FROM hosts;
ALTER TABLE hosts ALTER COLUMN cores TYPE bigint;
