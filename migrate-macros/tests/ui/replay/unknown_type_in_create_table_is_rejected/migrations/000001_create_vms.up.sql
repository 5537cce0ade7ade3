CREATE TABLE vms (id bigint PRIMARY KEY, created_at timestamptzz NOT NULL);
