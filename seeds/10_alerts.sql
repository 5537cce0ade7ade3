-- Seed: 6 alerts: open, acknowledged and resolved, infrastructure-wide
-- (organization_id NULL) and per tenant.
-- Ids: 90000000-0000-4000-8000-0000000000NN (see 01_organizations.sql).

INSERT INTO alerts (id, organization_id, severity, status, title, message, resource_type, resource_id,
                    acknowledged_by, acknowledged_at, resolved_at, created_at) VALUES
    ('90000000-0000-4000-8000-000000000001', NULL, 'critical', 'open',
     'Node test-node-02 is offline', 'No heartbeat for more than 6 hours',
     'node', '30000000-0000-4000-8000-000000000007', NULL, NULL, NULL, now() - interval '6 hours'),
    ('90000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000005', 'error', 'open',
     'VM dev-sandbox is in error state', 'The VM lost its node during a live migration',
     'vm', '40000000-0000-4000-8000-000000000009', NULL, NULL, NULL, now() - interval '6 hours'),
    ('90000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000002', 'warning', 'acknowledged',
     'High CPU on postgres-primary', 'CPU above 85 % for 15 minutes',
     'vm', '40000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000003',
     now() - interval '50 minutes', NULL, now() - interval '1 hour'),
    ('90000000-0000-4000-8000-000000000004', NULL, 'info', 'resolved',
     'Node dev-node-02 entered maintenance', 'Scheduled firmware update',
     'node', '30000000-0000-4000-8000-000000000005', NULL, NULL,
     now() - interval '10 minutes', now() - interval '20 minutes'),
    ('90000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000002', 'info', 'open',
     'Live migration of acme-analytics in progress', 'prod-node-03 -> prod-node-02',
     'vm', '40000000-0000-4000-8000-000000000004', NULL, NULL, NULL, now() - interval '25 minutes'),
    ('90000000-0000-4000-8000-000000000006', NULL, 'warning', 'resolved',
     'Disk usage above 80 % on prod-node-01', 'Old images were pruned',
     'node', '30000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001',
     now() - interval '2 days' + interval '5 minutes', now() - interval '2 days' + interval '1 hour',
     now() - interval '2 days')
ON CONFLICT (id) DO NOTHING;
