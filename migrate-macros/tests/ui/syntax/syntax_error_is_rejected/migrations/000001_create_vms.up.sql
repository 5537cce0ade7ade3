CREATE TABLE vms (
    id bigint PRIMARY KEY,
    name text NOT NULL,,
    memory_mb int NOT NULL
);
