-- migrate:no-transactions
CREATE TABLE vms (id bigint PRIMARY KEY);
