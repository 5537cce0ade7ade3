CREATE TYPE host_state AS ENUM ('up', 'down');

CREATE TABLE hosts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    state host_state NOT NULL DEFAULT 'up',
    note text
);
