DROP INDEX vms_state_idx;
DROP TABLE vms;
