DROP TABLE vms;
DROP TYPE vm_state;
