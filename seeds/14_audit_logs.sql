-- Seed: 5 audit trail entries by seed users, matching the other seeds: the
-- admin's login (session b...01), the creation of the provisioning VM
-- dev-build-runner (job a...01), the live migration of acme-analytics
-- (migration 80...01), a login refused to the suspended test user and the
-- revocation of alice.admin's API key (c...03).
--
-- organization_id is the tenant the resource belongs to (the tenant's trail),
-- which is not always the actor's own organization (NovaCron staff act on
-- customer VMs).
-- audit_logs is append-only (migration 000009's trigger rejects UPDATE); DELETE
-- stays possible, which is how clean.sql removes these rows.
-- Ids: d0000000-0000-4000-8000-0000000000NN (see 01_organizations.sql).

INSERT INTO audit_logs (id, organization_id, actor_id, action, resource_type, resource_id,
                        details, ip_address, user_agent, created_at) VALUES
    ('d0000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001',
     '20000000-0000-4000-8000-000000000001', 'user.login', 'user',
     '20000000-0000-4000-8000-000000000001',
     '{"method": "password", "session_id": "b0000000-0000-4000-8000-000000000001"}',
     '203.0.113.10',
     'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
     now() - interval '2 hours'),
    ('d0000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000005',
     '20000000-0000-4000-8000-000000000001', 'vm.create', 'vm',
     '40000000-0000-4000-8000-000000000010',
     '{"name": "dev-build-runner", "vcpus": 8, "memory_mb": 16384, "disk_gb": 150,
       "image": "ubuntu-24.04", "job_id": "a0000000-0000-4000-8000-000000000001"}',
     '203.0.113.10',
     'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
     now() - interval '1 hour'),
    ('d0000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000002',
     '20000000-0000-4000-8000-000000000003', 'vm.migrate', 'vm',
     '40000000-0000-4000-8000-000000000004',
     '{"migration_id": "80000000-0000-4000-8000-000000000001", "type": "live",
       "source_node_id": "30000000-0000-4000-8000-000000000003",
       "target_node_id": "30000000-0000-4000-8000-000000000002",
       "reason": "source node draining"}',
     '198.51.100.23', 'novacron-cli/1.4.2 (linux; amd64)',
     now() - interval '30 minutes'),
    ('d0000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000005',
     '20000000-0000-4000-8000-000000000008', 'user.login_failed', 'user',
     '20000000-0000-4000-8000-000000000008',
     '{"method": "password", "reason": "account_suspended", "username": "test.suspended"}',
     '203.0.113.200',
     'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
     now() - interval '6 days'),
    ('d0000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000002',
     '20000000-0000-4000-8000-000000000002', 'api_key.revoke', 'api_key',
     'c0000000-0000-4000-8000-000000000003',
     '{"name": "acme-monitoring", "prefix": "nvc_k3acme001", "reason": "monitoring vendor replaced"}',
     '192.0.2.45',
     'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
     now() - interval '10 days')
ON CONFLICT (id) DO NOTHING;
