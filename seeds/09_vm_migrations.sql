-- Seed: 3 VM migrations (table migrations): the one in progress for the
-- migrating VM acme-analytics, a completed one and a failed one.
-- Ids: 80000000-0000-4000-8000-0000000000NN (see 01_organizations.sql).

INSERT INTO migrations (id, vm_id, source_node_id, target_node_id, migration_type, status,
                        progress, initiated_by, started_at, completed_at, error, created_at) VALUES
    ('80000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000004',
     '30000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000002',
     'live', 'in_progress', 45, '20000000-0000-4000-8000-000000000003',
     now() - interval '25 minutes', NULL, NULL, now() - interval '30 minutes'),
    ('80000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000001',
     '30000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001',
     'cold', 'completed', 100, '20000000-0000-4000-8000-000000000001',
     now() - interval '3 days', now() - interval '3 days' + interval '12 minutes', NULL,
     now() - interval '3 days'),
    ('80000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000009',
     '30000000-0000-4000-8000-000000000006', '30000000-0000-4000-8000-000000000007',
     'live', 'failed', 62, '20000000-0000-4000-8000-000000000001',
     now() - interval '7 hours', now() - interval '6 hours', 'target node test-node-02 stopped responding',
     now() - interval '7 hours')
ON CONFLICT (id) DO NOTHING;
