-- Statements inside DO blocks are followed; a branch makes what it touches opaque.
DO $$
BEGIN
  ALTER TABLE hosts ADD COLUMN zone text;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'hosts_name_key') THEN
    ALTER TABLE hosts ADD CONSTRAINT hosts_name_key UNIQUE (name);
  END IF;
END $$;
CREATE INDEX hosts_zone_idx ON hosts (zone);
