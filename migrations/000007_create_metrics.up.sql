-- Time-series samples for VMs and nodes.
--
-- Both tables are partitioned by range on time so that old data can be dropped
-- a partition at a time (DROP/DETACH PARTITION) instead of by a slow DELETE.
-- Only the DEFAULT partitions are created here; operations add time-range
-- partitions (e.g. monthly) ahead of time. Note: a range partition cannot be
-- attached while the DEFAULT partition still holds rows in that range, so add
-- partitions for future periods.
--
-- The primary key (vm_id, time) is also the index for "the last 24 h of one VM":
-- WHERE vm_id = $1 AND time >= now() - interval '24 hours' ORDER BY time DESC
-- is an index range scan (read backwards for DESC), so no second (vm_id, time
-- DESC) index is kept, which would double index writes on the busiest tables.
--
-- Byte counters (disk_*, network_*) are the bytes moved during the sample
-- interval, not running totals.

CREATE TABLE vm_metrics (
    vm_id             uuid             NOT NULL,
    time              timestamptz      NOT NULL,
    cpu_percent       double precision NOT NULL,
    memory_used_bytes bigint           NOT NULL,
    disk_read_bytes   bigint           NOT NULL DEFAULT 0,
    disk_write_bytes  bigint           NOT NULL DEFAULT 0,
    network_rx_bytes  bigint           NOT NULL DEFAULT 0,
    network_tx_bytes  bigint           NOT NULL DEFAULT 0,
    CONSTRAINT vm_metrics_pkey PRIMARY KEY (vm_id, time),
    -- CASCADE: samples are owned by their VM.
    CONSTRAINT vm_metrics_vm_id_fkey FOREIGN KEY (vm_id)
        REFERENCES vms (id) ON DELETE CASCADE,
    CONSTRAINT vm_metrics_cpu_percent_check CHECK (cpu_percent BETWEEN 0 AND 100),
    CONSTRAINT vm_metrics_bytes_check CHECK (
        memory_used_bytes >= 0 AND disk_read_bytes >= 0 AND disk_write_bytes >= 0
        AND network_rx_bytes >= 0 AND network_tx_bytes >= 0
    )
) PARTITION BY RANGE (time);

CREATE TABLE vm_metrics_default PARTITION OF vm_metrics DEFAULT;

CREATE TABLE node_metrics (
    node_id           uuid             NOT NULL,
    time              timestamptz      NOT NULL,
    cpu_percent       double precision NOT NULL,
    memory_used_bytes bigint           NOT NULL,
    disk_used_bytes   bigint           NOT NULL,
    network_rx_bytes  bigint           NOT NULL DEFAULT 0,
    network_tx_bytes  bigint           NOT NULL DEFAULT 0,
    load_average      double precision NOT NULL DEFAULT 0,
    running_vms       integer          NOT NULL DEFAULT 0,
    CONSTRAINT node_metrics_pkey PRIMARY KEY (node_id, time),
    CONSTRAINT node_metrics_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES nodes (id) ON DELETE CASCADE,
    CONSTRAINT node_metrics_cpu_percent_check CHECK (cpu_percent BETWEEN 0 AND 100),
    CONSTRAINT node_metrics_bytes_check CHECK (
        memory_used_bytes >= 0 AND disk_used_bytes >= 0
        AND network_rx_bytes >= 0 AND network_tx_bytes >= 0
    ),
    CONSTRAINT node_metrics_load_average_check CHECK (load_average >= 0),
    CONSTRAINT node_metrics_running_vms_check CHECK (running_vms >= 0)
) PARTITION BY RANGE (time);

CREATE TABLE node_metrics_default PARTITION OF node_metrics DEFAULT;
