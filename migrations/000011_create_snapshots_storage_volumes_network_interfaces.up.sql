-- Per-VM resources: snapshots, storage volumes and network interfaces.

CREATE TYPE snapshot_status AS ENUM ('creating', 'available', 'restoring', 'deleting', 'error');

CREATE TABLE snapshots (
    id          uuid            NOT NULL DEFAULT gen_random_uuid(),
    vm_id       uuid            NOT NULL,
    name        text            NOT NULL,
    description text,
    size_bytes  bigint          NOT NULL DEFAULT 0,
    status      snapshot_status NOT NULL DEFAULT 'creating',
    created_by  uuid,
    created_at  timestamptz     NOT NULL DEFAULT now(),
    updated_at  timestamptz     NOT NULL DEFAULT now(),
    CONSTRAINT snapshots_pkey PRIMARY KEY (id),
    -- Also the foreign-key index for vm_id (leading column).
    CONSTRAINT snapshots_vm_id_name_key UNIQUE (vm_id, name),
    -- CASCADE: a snapshot cannot be restored without its VM.
    CONSTRAINT snapshots_vm_id_fkey FOREIGN KEY (vm_id)
        REFERENCES vms (id) ON DELETE CASCADE,
    CONSTRAINT snapshots_created_by_fkey FOREIGN KEY (created_by)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT snapshots_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT snapshots_size_bytes_check CHECK (size_bytes >= 0)
);

CREATE INDEX snapshots_created_by_idx ON snapshots (created_by);

CREATE TRIGGER snapshots_set_updated_at
    BEFORE UPDATE ON snapshots
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TYPE volume_type AS ENUM ('ssd', 'hdd', 'nvme', 'network');

CREATE TYPE volume_status AS ENUM ('creating', 'available', 'in_use', 'deleting', 'error');

CREATE TABLE storage_volumes (
    id          uuid          NOT NULL DEFAULT gen_random_uuid(),
    -- The node whose storage holds the volume.
    node_id     uuid          NOT NULL,
    -- The VM it is attached to; NULL when detached.
    vm_id       uuid,
    name        text          NOT NULL,
    -- (volume_type, not type: type is a Rust keyword.)
    volume_type volume_type   NOT NULL DEFAULT 'ssd',
    status      volume_status NOT NULL DEFAULT 'creating',
    size_gb     integer       NOT NULL,
    device_path text,
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT storage_volumes_pkey PRIMARY KEY (id),
    -- Also the foreign-key index for node_id (leading column).
    CONSTRAINT storage_volumes_node_id_name_key UNIQUE (node_id, name),
    -- RESTRICT: deleting the node record must not silently drop the record of
    -- data that lives on it; move or delete the volumes first.
    CONSTRAINT storage_volumes_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES nodes (id) ON DELETE RESTRICT,
    -- SET NULL: deleting a VM detaches its volumes, it does not destroy data.
    CONSTRAINT storage_volumes_vm_id_fkey FOREIGN KEY (vm_id)
        REFERENCES vms (id) ON DELETE SET NULL,
    CONSTRAINT storage_volumes_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT storage_volumes_size_gb_check CHECK (size_gb > 0)
);

CREATE INDEX storage_volumes_vm_id_idx ON storage_volumes (vm_id);

CREATE TRIGGER storage_volumes_set_updated_at
    BEFORE UPDATE ON storage_volumes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE network_interfaces (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    vm_id       uuid        NOT NULL,
    -- Guest device name, e.g. eth0.
    name        text        NOT NULL,
    mac_address macaddr     NOT NULL,
    ip_address  inet,
    network     text,
    vlan_id     integer,
    is_primary  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT network_interfaces_pkey PRIMARY KEY (id),
    CONSTRAINT network_interfaces_mac_address_key UNIQUE (mac_address),
    -- Also the foreign-key index for vm_id (leading column).
    CONSTRAINT network_interfaces_vm_id_name_key UNIQUE (vm_id, name),
    -- CASCADE: a virtual NIC exists only as part of its VM.
    CONSTRAINT network_interfaces_vm_id_fkey FOREIGN KEY (vm_id)
        REFERENCES vms (id) ON DELETE CASCADE,
    CONSTRAINT network_interfaces_vlan_id_check CHECK (vlan_id BETWEEN 1 AND 4094)
);

-- Each VM has at most one primary interface.
CREATE UNIQUE INDEX network_interfaces_vm_id_primary_key ON network_interfaces (vm_id)
    WHERE is_primary;

CREATE TRIGGER network_interfaces_set_updated_at
    BEFORE UPDATE ON network_interfaces
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
