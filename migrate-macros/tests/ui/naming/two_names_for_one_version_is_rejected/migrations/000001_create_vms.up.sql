CREATE TABLE vms (id bigint PRIMARY KEY);
