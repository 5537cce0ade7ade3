CREATE TABLE vms (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    node_id bigint NOT NULL REFERENCES nodes (id),
    name text NOT NULL,
    type text NOT NULL DEFAULT 'standard',
    state vm_state NOT NULL DEFAULT 'stopped',
    memory_mb integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
