-- migrate:no-transaction
CREATE INDEX CONCURRENTLY hosts_name_idx ON hosts (name);
