CREATE TABLE vms (id bigint PRIMARY KEY, name text NOT NULL);
