-- migrate:no-transaction
CREATE INDEX CONCURRENTLY vms_name_idx ON vms (name);
