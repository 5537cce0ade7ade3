-- Removes exactly the seed data: the rows with the fixed seed ids (see
-- 01_organizations.sql) and the seed VMs' and nodes' metrics. Rows you added
-- yourself are never deleted or changed.
--
-- Order: children before parents, so no seed row is removed while another seed
-- row still points at it.
--
-- Rows of your own that reference a seed row (a VM you created in the seed
-- organization, a session of the seed admin, an audit_logs row naming a seed
-- user, a VM placed on a seed node, ...): deleting that seed row would either
-- fail (ON DELETE RESTRICT), delete your row (CASCADE) or rewrite it (SET NULL).
-- So each parent DELETE below skips a seed row that any remaining row still
-- references: after the seed children are gone, every remaining referencing row
-- is one of yours. Such a seed row (and the seed rows it points to) stays; delete
-- or re-point your rows and run clean again to remove it.
-- Keep the NOT EXISTS lists in step with the foreign keys in migrations/.
--
-- Metrics have no id: the seed's samples are the ones 05_metrics.sql stamps 42
-- microseconds before a 5-minute boundary; only those are removed, as that
-- file does before it re-inserts them. A sample of your own for a seed VM or
-- node stays, and so does that VM or node (metrics cascade from it).
--
-- audit_logs is append-only, but its trigger (migration 000009) only rejects
-- UPDATE; DELETE stays allowed (for retention purges), so the seed entries are
-- deleted by id like any other seed row, before the seed users and
-- organizations they name. Nothing here updates audit_logs: an entry of your
-- own naming a seed user or organization keeps that row (NOT EXISTS below)
-- instead of having its actor_id / organization_id set to NULL.

DELETE FROM audit_logs WHERE id IN (
    'd0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000002',
    'd0000000-0000-4000-8000-000000000003', 'd0000000-0000-4000-8000-000000000004',
    'd0000000-0000-4000-8000-000000000005');

DELETE FROM api_keys WHERE id IN (
    'c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002',
    'c0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000004');

DELETE FROM sessions WHERE id IN (
    'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002',
    'b0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000004',
    'b0000000-0000-4000-8000-000000000005');

DELETE FROM jobs WHERE id IN (
    'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
    'a0000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000004',
    'a0000000-0000-4000-8000-000000000005');

DELETE FROM alerts WHERE id IN (
    '90000000-0000-4000-8000-000000000001', '90000000-0000-4000-8000-000000000002',
    '90000000-0000-4000-8000-000000000003', '90000000-0000-4000-8000-000000000004',
    '90000000-0000-4000-8000-000000000005', '90000000-0000-4000-8000-000000000006');

DELETE FROM migrations WHERE id IN (
    '80000000-0000-4000-8000-000000000001', '80000000-0000-4000-8000-000000000002',
    '80000000-0000-4000-8000-000000000003');

DELETE FROM snapshots WHERE id IN (
    '70000000-0000-4000-8000-000000000001', '70000000-0000-4000-8000-000000000002',
    '70000000-0000-4000-8000-000000000003', '70000000-0000-4000-8000-000000000004',
    '70000000-0000-4000-8000-000000000005', '70000000-0000-4000-8000-000000000006',
    '70000000-0000-4000-8000-000000000007');

DELETE FROM storage_volumes WHERE id IN (
    '60000000-0000-4000-8000-000000000001', '60000000-0000-4000-8000-000000000002',
    '60000000-0000-4000-8000-000000000003', '60000000-0000-4000-8000-000000000004',
    '60000000-0000-4000-8000-000000000005', '60000000-0000-4000-8000-000000000006',
    '60000000-0000-4000-8000-000000000007', '60000000-0000-4000-8000-000000000008',
    '60000000-0000-4000-8000-000000000009', '60000000-0000-4000-8000-000000000010',
    '60000000-0000-4000-8000-000000000011', '60000000-0000-4000-8000-000000000012',
    '60000000-0000-4000-8000-000000000013');

DELETE FROM network_interfaces WHERE id IN (
    '50000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000002',
    '50000000-0000-4000-8000-000000000003', '50000000-0000-4000-8000-000000000004',
    '50000000-0000-4000-8000-000000000005', '50000000-0000-4000-8000-000000000006',
    '50000000-0000-4000-8000-000000000007', '50000000-0000-4000-8000-000000000008',
    '50000000-0000-4000-8000-000000000009', '50000000-0000-4000-8000-000000000010',
    '50000000-0000-4000-8000-000000000011', '50000000-0000-4000-8000-000000000012',
    '50000000-0000-4000-8000-000000000013');

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

-- Referenced by: migrations (CASCADE), snapshots (CASCADE), storage_volumes
-- (SET NULL), network_interfaces (CASCADE), vm_metrics (CASCADE; the seed's
-- samples are cleared above, yours keep the VM).
DELETE FROM vms v
 WHERE v.id IN (
    '40000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000002',
    '40000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000004',
    '40000000-0000-4000-8000-000000000005', '40000000-0000-4000-8000-000000000006',
    '40000000-0000-4000-8000-000000000007', '40000000-0000-4000-8000-000000000008',
    '40000000-0000-4000-8000-000000000009', '40000000-0000-4000-8000-000000000010')
   AND NOT EXISTS (SELECT 1 FROM migrations m WHERE m.vm_id = v.id)
   AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.vm_id = v.id)
   AND NOT EXISTS (SELECT 1 FROM storage_volumes sv WHERE sv.vm_id = v.id)
   AND NOT EXISTS (SELECT 1 FROM network_interfaces ni WHERE ni.vm_id = v.id)
   AND NOT EXISTS (SELECT 1 FROM vm_metrics vm WHERE vm.vm_id = v.id);

-- Referenced by: vms (SET NULL), migrations (RESTRICT, source and target),
-- storage_volumes (RESTRICT), node_metrics (CASCADE; the seed's samples are
-- cleared above, yours keep the node).
DELETE FROM nodes n
 WHERE n.id IN (
    '30000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000002',
    '30000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000004',
    '30000000-0000-4000-8000-000000000005', '30000000-0000-4000-8000-000000000006',
    '30000000-0000-4000-8000-000000000007', '30000000-0000-4000-8000-000000000008',
    '30000000-0000-4000-8000-000000000009')
   AND NOT EXISTS (SELECT 1 FROM vms v WHERE v.node_id = n.id)
   AND NOT EXISTS (SELECT 1 FROM migrations m WHERE m.source_node_id = n.id OR m.target_node_id = n.id)
   AND NOT EXISTS (SELECT 1 FROM storage_volumes sv WHERE sv.node_id = n.id)
   AND NOT EXISTS (SELECT 1 FROM node_metrics nm WHERE nm.node_id = n.id);

-- Referenced by: vms.created_by, migrations.initiated_by, alerts.acknowledged_by,
-- snapshots.created_by, audit_logs.actor_id (all SET NULL), sessions and
-- api_keys (CASCADE).
DELETE FROM users u
 WHERE u.id IN (
    '20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002',
    '20000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000004',
    '20000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000006',
    '20000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000008',
    '20000000-0000-4000-8000-000000000009')
   AND NOT EXISTS (SELECT 1 FROM vms v WHERE v.created_by = u.id)
   AND NOT EXISTS (SELECT 1 FROM migrations m WHERE m.initiated_by = u.id)
   AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.acknowledged_by = u.id)
   AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.created_by = u.id)
   AND NOT EXISTS (SELECT 1 FROM audit_logs al WHERE al.actor_id = u.id)
   AND NOT EXISTS (SELECT 1 FROM sessions se WHERE se.user_id = u.id)
   AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = u.id);

-- Referenced by: users (CASCADE), vms (RESTRICT), alerts (CASCADE),
-- audit_logs (SET NULL).
DELETE FROM organizations o
 WHERE o.id IN (
    '10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002',
    '10000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000004',
    '10000000-0000-4000-8000-000000000005')
   AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organization_id = o.id)
   AND NOT EXISTS (SELECT 1 FROM vms v WHERE v.organization_id = o.id)
   AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.organization_id = o.id)
   AND NOT EXISTS (SELECT 1 FROM audit_logs al WHERE al.organization_id = o.id);
