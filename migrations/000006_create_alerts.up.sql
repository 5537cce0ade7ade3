-- System alerts and notifications about VMs, nodes and other resources.

CREATE TYPE alert_severity AS ENUM ('info', 'warning', 'error', 'critical');

CREATE TYPE alert_status AS ENUM ('open', 'acknowledged', 'resolved');

CREATE TABLE alerts (
    id              uuid           NOT NULL DEFAULT gen_random_uuid(),
    -- NULL for infrastructure-wide alerts (e.g. a node going offline).
    organization_id uuid,
    severity        alert_severity NOT NULL,
    status          alert_status   NOT NULL DEFAULT 'open',
    title           text           NOT NULL,
    message         text,
    -- What the alert is about: 'vm', 'node', 'storage_volume', ... and its id.
    -- Not a foreign key: alerts outlive the resources they describe.
    resource_type   text           NOT NULL,
    resource_id     uuid,
    acknowledged_by uuid,
    acknowledged_at timestamptz,
    resolved_at     timestamptz,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT alerts_pkey PRIMARY KEY (id),
    CONSTRAINT alerts_organization_id_fkey FOREIGN KEY (organization_id)
        REFERENCES organizations (id) ON DELETE CASCADE,
    CONSTRAINT alerts_acknowledged_by_fkey FOREIGN KEY (acknowledged_by)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT alerts_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT alerts_acknowledged_at_check CHECK (acknowledged_at >= created_at),
    CONSTRAINT alerts_resolved_at_check CHECK (resolved_at >= created_at),
    -- Status and timestamps agree.
    CONSTRAINT alerts_acknowledged_check CHECK (status <> 'acknowledged' OR acknowledged_at IS NOT NULL),
    CONSTRAINT alerts_resolved_check CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);

-- The alert console: unresolved alerts by severity, newest first.
CREATE INDEX alerts_unresolved_idx ON alerts (severity, created_at DESC)
    WHERE status <> 'resolved';
-- "Alerts for this VM/node".
CREATE INDEX alerts_resource_idx ON alerts (resource_type, resource_id, created_at DESC);
-- Foreign-key indexes.
CREATE INDEX alerts_organization_id_idx ON alerts (organization_id, created_at DESC);
CREATE INDEX alerts_acknowledged_by_idx ON alerts (acknowledged_by);

CREATE TRIGGER alerts_set_updated_at
    BEFORE UPDATE ON alerts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
