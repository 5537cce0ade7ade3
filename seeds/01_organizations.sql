-- Seed: 5 organizations.
--
-- Every seed row has a fixed, readable id so that re-running the seeds is a
-- no-op (ON CONFLICT (id) DO NOTHING) and clean.sql can remove exactly these
-- rows. The first group of the uuid names the table:
--   10000000-... organizations      60000000-... storage_volumes
--   20000000-... users              70000000-... snapshots
--   30000000-... nodes              80000000-... migrations (VM migrations)
--   40000000-... vms                90000000-... alerts
--   50000000-... network_interfaces a0000000-... jobs
--   b0000000-... sessions           c0000000-... api_keys
--   d0000000-... audit_logs
-- and the last group numbers the rows (...000000000001 to ...000000000010).
--
-- ON CONFLICT (id) only: a clash with a row of your own on another unique key
-- (e.g. an organization you created with slug 'acme') fails loudly instead of
-- silently leaving a hole that later seed files would trip over.

INSERT INTO organizations (id, name, slug, description, settings, is_active) VALUES
    ('10000000-0000-4000-8000-000000000001', 'NovaCron Inc', 'novacron',
     'Main organization: operates the NovaCron platform',
     '{"plan": "internal", "max_vms": 1000, "default_region": "us-east-1"}', true),
    ('10000000-0000-4000-8000-000000000002', 'Acme Corporation', 'acme',
     'Enterprise customer',
     '{"plan": "enterprise", "max_vms": 200, "default_region": "us-east-1"}', true),
    ('10000000-0000-4000-8000-000000000003', 'TechStart', 'techstart',
     'Start-up on the growth plan',
     '{"plan": "growth", "max_vms": 25, "default_region": "eu-west-1"}', true),
    ('10000000-0000-4000-8000-000000000004', 'Enterprise Co', 'enterprise-co',
     'Enterprise customer with edge sites',
     '{"plan": "enterprise", "max_vms": 500, "default_region": "us-west-2"}', true),
    ('10000000-0000-4000-8000-000000000005', 'Dev Team', 'dev-team',
     'Internal development and testing sandbox',
     '{"plan": "internal", "max_vms": 50, "default_region": "us-east-1"}', true)
ON CONFLICT (id) DO NOTHING;
