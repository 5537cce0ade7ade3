CREATE TABLE vm_metrics (
    vm_id uuid NOT NULL REFERENCES vms (id),
    recorded_at timestamptz NOT NULL,
    cpu_percent double precision
) PARTITION BY RANGE (recorded_at);

CREATE TABLE vm_metrics_2025_03 PARTITION OF vm_metrics
    FOR VALUES FROM ('2025-03-01') TO ('2025-04-01');
