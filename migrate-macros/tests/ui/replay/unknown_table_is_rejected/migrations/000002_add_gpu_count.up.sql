ALTER TABLE vm ADD COLUMN gpu_count int;
