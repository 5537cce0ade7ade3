-- Seed: 9 users. 2 admins, 2 operators, 2 viewers (all active) and 3 test users
-- in the other states (inactive, suspended, pending).
--
-- Every user's password is Password123!, stored only as a bcrypt hash made by
-- pgcrypto (installed by migration 000001). Admin login: admin / Password123!
-- Ids: 20000000-0000-4000-8000-00000000000N (see 01_organizations.sql).

INSERT INTO users (id, organization_id, username, email, full_name, role, status,
                   password_hash, failed_login_attempts, last_login_at) VALUES
    ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001',
     'admin', 'admin@novacron.io', 'System Administrator', 'admin', 'active',
     crypt('Password123!', gen_salt('bf')), 0, now() - interval '2 hours'),
    ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000002',
     'alice.admin', 'alice@acme.example', 'Alice Anderson', 'admin', 'active',
     crypt('Password123!', gen_salt('bf')), 0, now() - interval '1 day'),
    ('20000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000001',
     'oscar.ops', 'oscar@novacron.io', 'Oscar Operator', 'operator', 'active',
     crypt('Password123!', gen_salt('bf')), 0, now() - interval '30 minutes'),
    ('20000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000004',
     'olivia.ops', 'olivia@enterprise.example', 'Olivia Owens', 'operator', 'active',
     crypt('Password123!', gen_salt('bf')), 1, now() - interval '3 days'),
    ('20000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000003',
     'victor.viewer', 'victor@techstart.example', 'Victor Vance', 'viewer', 'active',
     crypt('Password123!', gen_salt('bf')), 0, now() - interval '5 hours'),
    ('20000000-0000-4000-8000-000000000006', '10000000-0000-4000-8000-000000000002',
     'vera.viewer', 'vera@acme.example', 'Vera Valdez', 'viewer', 'active',
     crypt('Password123!', gen_salt('bf')), 0, NULL),
    -- Test users: one per non-active state.
    ('20000000-0000-4000-8000-000000000007', '10000000-0000-4000-8000-000000000005',
     'test.inactive', 'test.inactive@devteam.example', 'Test Inactive', 'viewer', 'inactive',
     crypt('Password123!', gen_salt('bf')), 0, now() - interval '90 days'),
    ('20000000-0000-4000-8000-000000000008', '10000000-0000-4000-8000-000000000005',
     'test.suspended', 'test.suspended@devteam.example', 'Test Suspended', 'operator', 'suspended',
     crypt('Password123!', gen_salt('bf')), 5, now() - interval '7 days'),
    ('20000000-0000-4000-8000-000000000009', '10000000-0000-4000-8000-000000000005',
     'test.pending', 'test.pending@devteam.example', 'Test Pending', 'viewer', 'pending',
     crypt('Password123!', gen_salt('bf')), 0, NULL)
ON CONFLICT (id) DO NOTHING;
