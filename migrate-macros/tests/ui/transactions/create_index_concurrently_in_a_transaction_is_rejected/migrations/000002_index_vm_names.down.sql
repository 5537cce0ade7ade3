DROP INDEX vms_name_idx;
