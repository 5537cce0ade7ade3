CREATE TABLE vms (id bigint,, name text);
