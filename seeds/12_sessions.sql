-- Seed: 5 login sessions. 2 live (admin, oscar.ops), 1 expired (alice.admin),
-- 1 revoked by logging out (olivia.ops) and 1 revoked when its user was
-- suspended (test.suspended, also long expired).
--
-- Only the SHA-256 hash (hex) of each session token is stored, made by pgcrypto
-- (installed by migration 000001). The tokens hashed here are fixed dev-only
-- strings ('seed-session-token-N'), so the hashes stay the same on every run.
-- created_at matches the users' last_login_at in 02_users.sql where there is one.
-- Ids: b0000000-0000-4000-8000-0000000000NN (see 01_organizations.sql).

INSERT INTO sessions (id, user_id, token_hash, ip_address, user_agent,
                      expires_at, revoked_at, last_seen_at, created_at) VALUES
    -- admin: live, browser.
    ('b0000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001',
     encode(digest('seed-session-token-1', 'sha256'), 'hex'), '203.0.113.10',
     'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
     now() + interval '22 hours', NULL, now() - interval '5 minutes',
     now() - interval '2 hours'),
    -- oscar.ops: live, the CLI.
    ('b0000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000003',
     encode(digest('seed-session-token-2', 'sha256'), 'hex'), '198.51.100.23',
     'novacron-cli/1.4.2 (linux; amd64)',
     now() + interval '23 hours 30 minutes', NULL, now() - interval '1 minute',
     now() - interval '30 minutes'),
    -- alice.admin: expired (12-hour session, never logged out).
    ('b0000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002',
     encode(digest('seed-session-token-3', 'sha256'), 'hex'), '192.0.2.45',
     'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
     now() - interval '12 hours', NULL, now() - interval '14 hours',
     now() - interval '1 day'),
    -- olivia.ops: logged out; the session would still be within its 7 days.
    ('b0000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000004',
     encode(digest('seed-session-token-4', 'sha256'), 'hex'), '198.51.100.77',
     'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
     now() + interval '4 days', now() - interval '2 days 20 hours', now() - interval '2 days 20 hours',
     now() - interval '3 days'),
    -- test.suspended: revoked when the account was suspended, expired since.
    ('b0000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000008',
     encode(digest('seed-session-token-5', 'sha256'), 'hex'), '203.0.113.200',
     'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
     now() - interval '6 days', now() - interval '6 days 23 hours', now() - interval '6 days 23 hours',
     now() - interval '7 days')
ON CONFLICT (id) DO NOTHING;
