ALTER TABLE vms
    ALTER COLUMN created_at TYPE timestamptzz;
