-- Seed: 24 hours of samples, one every 5 minutes (289 per resource), ending at
-- the current 5-minute boundary, for every seed VM and every seed node.
--
-- The timestamps move with now(), so ON CONFLICT cannot make this idempotent:
-- the seed's own samples are deleted first, then inserted again. Run the
-- file in one transaction (psql -1, or the seeder) so nobody sees the gap.
--
-- Which samples are the seed's: each is stamped 42 microseconds before a
-- 5-minute boundary (no collector writes that), so this file and clean.sql
-- delete exactly those and never a sample you added, even for a seed VM or
-- node. Keep the marker in step with clean.sql.
-- Values are deterministic curves (a daily cycle plus a faster ripple), not
-- random(), so two runs give the same shapes. VMs that are not running report
-- zeros (a paused VM still holds its memory); the offline node reports zeros.

DELETE FROM vm_metrics
 WHERE time = date_bin('5 minutes', time, timestamptz '2000-01-01 00:00:00+00' - interval '42 microseconds')
   AND vm_id IN (
    '40000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000002',
    '40000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000004',
    '40000000-0000-4000-8000-000000000005', '40000000-0000-4000-8000-000000000006',
    '40000000-0000-4000-8000-000000000007', '40000000-0000-4000-8000-000000000008',
    '40000000-0000-4000-8000-000000000009', '40000000-0000-4000-8000-000000000010');

DELETE FROM node_metrics
 WHERE time = date_bin('5 minutes', time, timestamptz '2000-01-01 00:00:00+00' - interval '42 microseconds')
   AND node_id IN (
    '30000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000002',
    '30000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000004',
    '30000000-0000-4000-8000-000000000005', '30000000-0000-4000-8000-000000000006',
    '30000000-0000-4000-8000-000000000007', '30000000-0000-4000-8000-000000000008',
    '30000000-0000-4000-8000-000000000009');

INSERT INTO vm_metrics (vm_id, time, cpu_percent, memory_used_bytes,
                        disk_read_bytes, disk_write_bytes, network_rx_bytes, network_tx_bytes)
SELECT p.vm_id,
       ts.t - interval '42 microseconds',
       -- CPU: base load, a daily swing and a ripple, clamped to 0..100.
       CASE WHEN p.active
            THEN round(least(100, greatest(0,
                     p.cpu_base
                     + p.cpu_swing * sin(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)
                     + 3 * sin(extract(epoch FROM ts.t) / 900 + p.phase * 7)))::numeric, 2)::double precision
            ELSE 0 END,
       CASE WHEN p.active OR p.holds_memory
            THEN (v.memory_mb * 1048576 * (p.mem_fraction
                     + 0.05 * sin(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)))::bigint
            ELSE 0 END,
       -- I/O counters: bytes moved during the 5-minute interval.
       CASE WHEN p.active THEN (p.io_rate::double precision * 300 * (1.2 + sin(extract(epoch FROM ts.t) / 1800 + p.phase)))::bigint ELSE 0 END,
       CASE WHEN p.active THEN (p.io_rate::double precision * 150 * (1.2 + cos(extract(epoch FROM ts.t) / 2400 + p.phase)))::bigint ELSE 0 END,
       CASE WHEN p.active THEN (p.net_rate::double precision * 300 * (1.2 + sin(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)))::bigint ELSE 0 END,
       CASE WHEN p.active THEN (p.net_rate::double precision * 200 * (1.2 + cos(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)))::bigint ELSE 0 END
  FROM (VALUES
        -- vm_id, active, holds_memory, cpu_base, cpu_swing, mem_fraction, io_rate, net_rate (bytes/s), phase
        ('40000000-0000-4000-8000-000000000001'::uuid, true,  true,  35.0, 20.0, 0.55,  2000000,  8000000, 0.0),
        ('40000000-0000-4000-8000-000000000002'::uuid, true,  true,  45.0, 25.0, 0.60,  4000000, 12000000, 0.8),
        ('40000000-0000-4000-8000-000000000003'::uuid, true,  true,  60.0, 25.0, 0.80, 30000000,  6000000, 1.6),
        -- migrating: still running, heavy network while memory is copied.
        ('40000000-0000-4000-8000-000000000004'::uuid, true,  true,  70.0, 15.0, 0.70, 10000000, 90000000, 2.4),
        ('40000000-0000-4000-8000-000000000005'::uuid, true,  true,  20.0, 10.0, 0.45,  1000000,  2000000, 3.2),
        ('40000000-0000-4000-8000-000000000006'::uuid, false, true,   0.0,  0.0, 0.40,        0,        0, 4.0),
        ('40000000-0000-4000-8000-000000000007'::uuid, true,  true,  25.0, 15.0, 0.65,  3000000, 20000000, 4.8),
        ('40000000-0000-4000-8000-000000000008'::uuid, false, false,  0.0,  0.0, 0.00,        0,        0, 5.6),
        ('40000000-0000-4000-8000-000000000009'::uuid, false, false,  0.0,  0.0, 0.00,        0,        0, 0.4),
        ('40000000-0000-4000-8000-000000000010'::uuid, false, false,  0.0,  0.0, 0.00,        0,        0, 1.2)
       ) AS p (vm_id, active, holds_memory, cpu_base, cpu_swing, mem_fraction, io_rate, net_rate, phase)
  JOIN vms v ON v.id = p.vm_id
 CROSS JOIN generate_series(
        date_bin('5 minutes', now(), timestamptz '2000-01-01 00:00:00+00') - interval '24 hours',
        date_bin('5 minutes', now(), timestamptz '2000-01-01 00:00:00+00'),
        interval '5 minutes') AS ts (t)
ON CONFLICT (vm_id, time) DO NOTHING;

INSERT INTO node_metrics (node_id, time, cpu_percent, memory_used_bytes, disk_used_bytes,
                          network_rx_bytes, network_tx_bytes, load_average, running_vms)
SELECT p.node_id,
       ts.t - interval '42 microseconds',
       CASE WHEN p.up
            THEN round(least(100, greatest(0,
                     p.cpu_base
                     + p.cpu_swing * sin(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)
                     + 2 * sin(extract(epoch FROM ts.t) / 600 + p.phase * 5)))::numeric, 2)::double precision
            ELSE 0 END,
       CASE WHEN p.up
            THEN (n.memory_mb * 1048576 * (p.mem_fraction
                     + 0.05 * sin(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)))::bigint
            ELSE 0 END,
       -- Disk usage grows slowly over the day.
       CASE WHEN p.up
            THEN (n.disk_gb * 1073741824 * (p.disk_fraction
                     + 0.01 * (extract(epoch FROM ts.t) - extract(epoch FROM now() - interval '24 hours')) / 86400))::bigint
            ELSE 0 END,
       CASE WHEN p.up THEN (p.net_rate::double precision * 300 * (1.2 + sin(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)))::bigint ELSE 0 END,
       CASE WHEN p.up THEN (p.net_rate::double precision * 250 * (1.2 + cos(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)))::bigint ELSE 0 END,
       CASE WHEN p.up
            THEN round(greatest(0, n.cpu_cores * (p.cpu_base
                     + p.cpu_swing * sin(2 * pi() * extract(epoch FROM ts.t) / 86400 + p.phase)) / 100)::numeric, 2)::double precision
            ELSE 0 END,
       CASE WHEN p.up THEN p.running_vms ELSE 0 END
  FROM (VALUES
        -- node_id, up, cpu_base, cpu_swing, mem_fraction, disk_fraction, net_rate (bytes/s), running_vms, phase
        ('30000000-0000-4000-8000-000000000001'::uuid, true,  40.0, 20.0, 0.55, 0.40,  30000000, 2, 0.0),
        ('30000000-0000-4000-8000-000000000002'::uuid, true,  35.0, 20.0, 0.45, 0.35,  40000000, 1, 0.7),
        -- draining: busy sending acme-analytics away.
        ('30000000-0000-4000-8000-000000000003'::uuid, true,  55.0, 10.0, 0.40, 0.30, 120000000, 1, 1.4),
        ('30000000-0000-4000-8000-000000000004'::uuid, true,  20.0, 10.0, 0.25, 0.20,   5000000, 2, 2.1),
        -- maintenance: idle but still reporting.
        ('30000000-0000-4000-8000-000000000005'::uuid, true,   3.0,  1.0, 0.05, 0.10,    100000, 0, 2.8),
        ('30000000-0000-4000-8000-000000000006'::uuid, true,  10.0,  5.0, 0.15, 0.15,   1000000, 0, 3.5),
        -- offline: no data, reported as zeros.
        ('30000000-0000-4000-8000-000000000007'::uuid, false,  0.0,  0.0, 0.00, 0.00,         0, 0, 4.2),
        ('30000000-0000-4000-8000-000000000008'::uuid, true,  30.0, 15.0, 0.35, 0.25,  25000000, 1, 4.9),
        ('30000000-0000-4000-8000-000000000009'::uuid, true,  12.0,  6.0, 0.20, 0.30,   3000000, 0, 5.6)
       ) AS p (node_id, up, cpu_base, cpu_swing, mem_fraction, disk_fraction, net_rate, running_vms, phase)
  JOIN nodes n ON n.id = p.node_id
 CROSS JOIN generate_series(
        date_bin('5 minutes', now(), timestamptz '2000-01-01 00:00:00+00') - interval '24 hours',
        date_bin('5 minutes', now(), timestamptz '2000-01-01 00:00:00+00'),
        interval '5 minutes') AS ts (t)
ON CONFLICT (node_id, time) DO NOTHING;
