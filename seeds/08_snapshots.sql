-- Seed: 7 VM snapshots in various states.
-- Ids: 70000000-0000-4000-8000-0000000000NN (see 01_organizations.sql).

INSERT INTO snapshots (id, vm_id, name, description, size_bytes, status, created_by, created_at) VALUES
    ('70000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001', 'pre-upgrade',
     'Before the nginx upgrade', 12884901888, 'available', '20000000-0000-4000-8000-000000000001', now() - interval '14 days'),
    ('70000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000001', 'nightly',
     'Nightly automatic snapshot', 13958643712, 'available', NULL, now() - interval '8 hours'),
    ('70000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000003', 'before-schema-change',
     'Before the application schema migration', 85899345920, 'available', '20000000-0000-4000-8000-000000000002', now() - interval '2 days'),
    ('70000000-0000-4000-8000-000000000004', '40000000-0000-4000-8000-000000000005', 'release-1.4',
     'Release 1.4 baseline', 5368709120, 'available', '20000000-0000-4000-8000-000000000005', now() - interval '5 days'),
    ('70000000-0000-4000-8000-000000000005', '40000000-0000-4000-8000-000000000008', 'weekly',
     'Weekly snapshot', 32212254720, 'available', NULL, now() - interval '3 days'),
    ('70000000-0000-4000-8000-000000000006', '40000000-0000-4000-8000-000000000004', 'pre-migration',
     'Taken before moving off prod-node-03', 0, 'creating', '20000000-0000-4000-8000-000000000003', now() - interval '40 minutes'),
    ('70000000-0000-4000-8000-000000000007', '40000000-0000-4000-8000-000000000009', 'last-known-good',
     'Failed: node became unreachable', 0, 'error', '20000000-0000-4000-8000-000000000001', now() - interval '6 hours')
ON CONFLICT (id) DO NOTHING;
