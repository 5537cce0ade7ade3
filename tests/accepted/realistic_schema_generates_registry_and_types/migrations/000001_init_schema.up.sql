CREATE TYPE vm_state AS ENUM ('stopped', 'running', 'migrating');

CREATE TABLE nodes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hostname text NOT NULL UNIQUE
);
