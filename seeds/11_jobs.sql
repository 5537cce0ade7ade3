-- Seed: 5 queued jobs in every lifecycle stage.
-- Ids: a0000000-0000-4000-8000-0000000000NN (see 01_organizations.sql).

INSERT INTO jobs (id, job_type, payload, status, priority, run_at, attempts, max_attempts,
                  locked_by, locked_at, last_error, completed_at) VALUES
    ('a0000000-0000-4000-8000-000000000001', 'vm.provision',
     '{"vm_id": "40000000-0000-4000-8000-000000000010"}', 'pending', 10, now(), 0, 3,
     NULL, NULL, NULL, NULL),
    ('a0000000-0000-4000-8000-000000000002', 'snapshot.create',
     '{"vm_id": "40000000-0000-4000-8000-000000000008", "name": "weekly"}', 'pending', 0,
     now() + interval '1 hour', 0, 3, NULL, NULL, NULL, NULL),
    ('a0000000-0000-4000-8000-000000000003', 'vm.migrate',
     '{"migration_id": "80000000-0000-4000-8000-000000000001"}', 'running', 50,
     now() - interval '30 minutes', 1, 3, 'worker-01', now() - interval '25 minutes', NULL, NULL),
    ('a0000000-0000-4000-8000-000000000004', 'metrics.rollup',
     '{"window": "1h"}', 'completed', -10, now() - interval '1 hour', 1, 3,
     NULL, NULL, NULL, now() - interval '58 minutes'),
    ('a0000000-0000-4000-8000-000000000005', 'node.health_check',
     '{"node_id": "30000000-0000-4000-8000-000000000007"}', 'failed', 20,
     now() - interval '6 hours', 3, 3, NULL, NULL, 'connection timed out after 30s', NULL)
ON CONFLICT (id) DO NOTHING;
