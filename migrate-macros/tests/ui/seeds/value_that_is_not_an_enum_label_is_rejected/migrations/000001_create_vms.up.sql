CREATE TYPE vm_state AS ENUM ('stopped', 'running');
CREATE TABLE vms (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    state vm_state NOT NULL DEFAULT 'stopped'
);
