CREATE TABLE hosts (id int);
CREATE VIEW host_ids AS SELECT id FROM (SELECT id FROM hosts) AS h;
DROP TABLE hosts;
