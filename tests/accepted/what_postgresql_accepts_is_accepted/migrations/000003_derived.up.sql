-- Relations derived from queries, and the catalogues.
CREATE TABLE per_host AS SELECT host_id, max(n) AS m, count(*) AS c FROM samples GROUP BY host_id;
CREATE INDEX ON per_host (m);
CREATE MATERIALIZED VIEW busy AS
  WITH s AS (SELECT host_id FROM samples) SELECT h.id, h.name FROM hosts h JOIN s ON s.host_id = h.id;
CREATE VIEW busy_names AS SELECT name FROM busy UNION SELECT name FROM hosts;
SELECT count(*) FROM pg_catalog.pg_class JOIN information_schema.tables ON true;
