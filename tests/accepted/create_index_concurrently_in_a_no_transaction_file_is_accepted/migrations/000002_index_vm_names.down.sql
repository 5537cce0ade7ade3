-- migrate:no-transaction
DROP INDEX CONCURRENTLY vms_name_idx;
