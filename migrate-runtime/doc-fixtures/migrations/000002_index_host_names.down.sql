-- migrate:no-transaction
DROP INDEX CONCURRENTLY hosts_name_idx;
