CREATE TABLE vms (id bigint);
