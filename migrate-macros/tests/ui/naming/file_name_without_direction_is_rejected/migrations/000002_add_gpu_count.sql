ALTER TABLE vms ADD COLUMN gpu_count int;
