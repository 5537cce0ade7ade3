-- Seed: 4 API keys. 2 usable (admin's, with an expiry, and oscar.ops's, without
-- one), 1 revoked (alice.admin) and 1 expired (victor.viewer).
--
-- A key is "<prefix>_<secret>". Only the prefix (shown in the UI, used to find
-- the row) and the SHA-256 hash (hex) of the whole key are stored, made by
-- pgcrypto (installed by migration 000001); the key itself never is. The keys
-- hashed here are fixed dev-only strings, so the hashes stay the same on every
-- run. Usable dev key: nvc_k1admin01_seed-dev-secret-1 (admin, read/write).
-- Ids: c0000000-0000-4000-8000-0000000000NN (see 01_organizations.sql).

INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes,
                      last_used_at, expires_at, revoked_at, created_at, updated_at) VALUES
    ('c0000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001',
     'terraform-provider', 'nvc_k1admin01',
     encode(digest('nvc_k1admin01_seed-dev-secret-1', 'sha256'), 'hex'),
     '{vms:read,vms:write,nodes:read,migrations:write}',
     now() - interval '10 minutes', now() + interval '120 days', NULL,
     now() - interval '60 days', now() - interval '60 days'),
    ('c0000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000003',
     'ci-deploy', 'nvc_k2ops0001',
     encode(digest('nvc_k2ops0001_seed-dev-secret-2', 'sha256'), 'hex'),
     '{vms:read,vms:write,snapshots:write}',
     now() - interval '3 hours', NULL, NULL,
     now() - interval '30 days', now() - interval '30 days'),
    -- Revoked by alice.admin (see the api_key.revoke entry in 14_audit_logs.sql).
    ('c0000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002',
     'acme-monitoring', 'nvc_k3acme001',
     encode(digest('nvc_k3acme001_seed-dev-secret-3', 'sha256'), 'hex'),
     '{metrics:read,vms:read}',
     now() - interval '11 days', now() + interval '80 days', now() - interval '10 days',
     now() - interval '100 days', now() - interval '10 days'),
    -- Expired: a 90-day key that was never renewed.
    ('c0000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000005',
     'grafana-dashboard', 'nvc_k4tech001',
     encode(digest('nvc_k4tech001_seed-dev-secret-4', 'sha256'), 'hex'),
     '{metrics:read}',
     now() - interval '6 days', now() - interval '5 days', NULL,
     now() - interval '95 days', now() - interval '95 days')
ON CONFLICT (id) DO NOTHING;
