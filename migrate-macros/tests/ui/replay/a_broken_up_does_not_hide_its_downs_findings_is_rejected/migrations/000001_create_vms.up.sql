CREATE TABLE vms (id bigint, state vm_stat);
