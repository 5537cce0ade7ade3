DROP INDEX hosts_zone_idx;
ALTER TABLE hosts DROP CONSTRAINT IF EXISTS hosts_name_key;
ALTER TABLE hosts DROP COLUMN zone;
