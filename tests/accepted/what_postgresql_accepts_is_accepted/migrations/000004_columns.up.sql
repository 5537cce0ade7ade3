-- DROP COLUMN takes the indexes and checks that use it anywhere.
ALTER TABLE hosts ADD COLUMN cores int CHECK (cores > 0);
CREATE INDEX hosts_cores_part ON hosts (name) WHERE cores > 8;
CREATE INDEX hosts_incl ON hosts (name) INCLUDE (cores);
ALTER TABLE hosts DROP COLUMN cores;
