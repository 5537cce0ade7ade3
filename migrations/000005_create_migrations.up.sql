-- VM migration tracking: moving a VM from one node to another.
-- (Not to be confused with schema_migrations, this tool's own history.)

-- live: the VM keeps running while memory is copied; cold: stopped, then moved.
CREATE TYPE migration_type AS ENUM ('live', 'cold');

CREATE TYPE migration_status AS ENUM ('pending', 'in_progress', 'completed', 'failed', 'cancelled');

CREATE TABLE migrations (
    id             uuid             NOT NULL DEFAULT gen_random_uuid(),
    vm_id          uuid             NOT NULL,
    source_node_id uuid             NOT NULL,
    target_node_id uuid             NOT NULL,
    migration_type migration_type   NOT NULL DEFAULT 'live',
    status         migration_status NOT NULL DEFAULT 'pending',
    progress       smallint         NOT NULL DEFAULT 0,
    initiated_by   uuid,
    started_at     timestamptz,
    completed_at   timestamptz,
    error          text,
    created_at     timestamptz      NOT NULL DEFAULT now(),
    updated_at     timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT migrations_pkey PRIMARY KEY (id),
    -- CASCADE: a VM's migration history belongs to the VM.
    CONSTRAINT migrations_vm_id_fkey FOREIGN KEY (vm_id)
        REFERENCES vms (id) ON DELETE CASCADE,
    -- RESTRICT: deleting a node would lose the record of what moved through it;
    -- decommission nodes (status) instead of deleting them.
    CONSTRAINT migrations_source_node_id_fkey FOREIGN KEY (source_node_id)
        REFERENCES nodes (id) ON DELETE RESTRICT,
    CONSTRAINT migrations_target_node_id_fkey FOREIGN KEY (target_node_id)
        REFERENCES nodes (id) ON DELETE RESTRICT,
    CONSTRAINT migrations_initiated_by_fkey FOREIGN KEY (initiated_by)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT migrations_progress_check CHECK (progress BETWEEN 0 AND 100),
    CONSTRAINT migrations_nodes_check CHECK (source_node_id <> target_node_id),
    CONSTRAINT migrations_completed_at_check CHECK (completed_at >= started_at),
    -- A finished migration is at 100 % and has an end time.
    CONSTRAINT migrations_completed_check CHECK (
        status <> 'completed' OR (progress = 100 AND completed_at IS NOT NULL)
    ),
    -- A failed migration says why.
    CONSTRAINT migrations_failed_check CHECK (status <> 'failed' OR error IS NOT NULL)
);

-- At most one unfinished migration per VM at a time.
CREATE UNIQUE INDEX migrations_vm_id_active_key ON migrations (vm_id)
    WHERE status IN ('pending', 'in_progress');

-- A VM's migration history, newest first; also the foreign-key index for vm_id.
CREATE INDEX migrations_vm_id_created_at_idx ON migrations (vm_id, created_at DESC);
-- Foreign-key indexes (RESTRICT checks on node delete, SET NULL on user delete).
CREATE INDEX migrations_source_node_id_idx ON migrations (source_node_id);
CREATE INDEX migrations_target_node_id_idx ON migrations (target_node_id);
CREATE INDEX migrations_initiated_by_idx ON migrations (initiated_by);

CREATE TRIGGER migrations_set_updated_at
    BEFORE UPDATE ON migrations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
