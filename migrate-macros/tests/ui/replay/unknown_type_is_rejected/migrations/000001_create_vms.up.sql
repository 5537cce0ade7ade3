CREATE TABLE vms (id bigint PRIMARY KEY, created_at timestamp NOT NULL);
