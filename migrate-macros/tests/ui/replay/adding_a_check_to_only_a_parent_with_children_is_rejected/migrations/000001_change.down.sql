DROP TABLE archived_vms, vms;
