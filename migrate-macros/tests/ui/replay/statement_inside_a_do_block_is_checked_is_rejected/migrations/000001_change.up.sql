CREATE TABLE hosts (id int);
DO $$
BEGIN
  ALTER TABLE hosts DROP COLUMN zone;
END $$;
