-- Virtual machines: owned by a tenant, placed on at most one node.

CREATE TYPE vm_state AS ENUM (
    'provisioning', 'running', 'stopped', 'paused', 'suspended', 'migrating', 'error'
);

CREATE TABLE vms (
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid        NOT NULL,
    -- NULL while not yet scheduled (provisioning) or after its node was deleted.
    node_id         uuid,
    created_by      uuid,
    name            text        NOT NULL,
    state           vm_state    NOT NULL DEFAULT 'provisioning',
    vcpus           integer     NOT NULL,
    memory_mb       bigint      NOT NULL,
    disk_gb         bigint      NOT NULL,
    image           text        NOT NULL,
    ip_address      inet,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vms_pkey PRIMARY KEY (id),
    -- Also serves as the index on organization_id (leading column).
    CONSTRAINT vms_organization_id_name_key UNIQUE (organization_id, name),
    -- RESTRICT: a tenant with VMs must deprovision them first; deleting the
    -- tenant must not silently destroy running machines and their history.
    CONSTRAINT vms_organization_id_fkey FOREIGN KEY (organization_id)
        REFERENCES organizations (id) ON DELETE RESTRICT,
    -- SET NULL: the VM record outlives its placement. Together with
    -- vms_placement_check this still refuses to delete a node hosting active VMs.
    CONSTRAINT vms_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES nodes (id) ON DELETE SET NULL,
    CONSTRAINT vms_created_by_fkey FOREIGN KEY (created_by)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT vms_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT vms_vcpus_check CHECK (vcpus > 0),
    CONSTRAINT vms_memory_mb_check CHECK (memory_mb > 0),
    CONSTRAINT vms_disk_gb_check CHECK (disk_gb > 0),
    CONSTRAINT vms_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    -- A VM that is running, paused, suspended or migrating exists on a node.
    CONSTRAINT vms_placement_check CHECK (
        state NOT IN ('running', 'paused', 'suspended', 'migrating') OR node_id IS NOT NULL
    )
);

-- Foreign-key indexes: "VMs on this node" (scheduler, ON DELETE SET NULL) and
-- ON DELETE SET NULL from users.
CREATE INDEX vms_node_id_idx ON vms (node_id);
CREATE INDEX vms_created_by_idx ON vms (created_by);

CREATE TRIGGER vms_set_updated_at
    BEFORE UPDATE ON vms
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
