-- Compute nodes that host VMs. Shared infrastructure: not owned by a tenant.

CREATE TYPE node_environment AS ENUM ('production', 'development', 'test', 'edge');

-- draining: no new VMs are placed, running ones are being moved away.
-- decommissioned: kept (not deleted) so migration and volume history stays valid.
CREATE TYPE node_status AS ENUM ('online', 'offline', 'maintenance', 'draining', 'decommissioned');

CREATE TABLE nodes (
    id                uuid             NOT NULL DEFAULT gen_random_uuid(),
    name              text             NOT NULL,
    hostname          text             NOT NULL,
    environment       node_environment NOT NULL,
    -- A new node is offline until its agent sends the first heartbeat.
    status            node_status      NOT NULL DEFAULT 'offline',
    region            text,
    ip_address        inet             NOT NULL,
    cpu_cores         integer          NOT NULL,
    memory_mb         bigint           NOT NULL,
    disk_gb           bigint           NOT NULL,
    -- Free-form scheduling labels, e.g. {"gpu": "a100", "rack": "r12"}.
    labels            jsonb            NOT NULL DEFAULT '{}'::jsonb,
    last_heartbeat_at timestamptz,
    created_at        timestamptz      NOT NULL DEFAULT now(),
    updated_at        timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT nodes_pkey PRIMARY KEY (id),
    CONSTRAINT nodes_name_key UNIQUE (name),
    CONSTRAINT nodes_hostname_key UNIQUE (hostname),
    CONSTRAINT nodes_cpu_cores_check CHECK (cpu_cores > 0),
    CONSTRAINT nodes_memory_mb_check CHECK (memory_mb > 0),
    CONSTRAINT nodes_disk_gb_check CHECK (disk_gb > 0),
    CONSTRAINT nodes_labels_check CHECK (jsonb_typeof(labels) = 'object')
);

-- The scheduler's question: which nodes of an environment are online.
CREATE INDEX nodes_environment_status_idx ON nodes (environment, status);

CREATE TRIGGER nodes_set_updated_at
    BEFORE UPDATE ON nodes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
