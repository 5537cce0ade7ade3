CREATE INDEX CONCURRENTLY vms_name_idx ON vms (name);
