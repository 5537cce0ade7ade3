-- Seed: 9 compute nodes across all four environments.
--   production: 3 (one draining)   development: 2 (one in maintenance)
--   test: 2 (one offline)          edge: 2
-- Ids: 30000000-0000-4000-8000-00000000000N (see 01_organizations.sql).

INSERT INTO nodes (id, name, hostname, environment, status, region, ip_address,
                   cpu_cores, memory_mb, disk_gb, labels, last_heartbeat_at) VALUES
    ('30000000-0000-4000-8000-000000000001', 'prod-node-01', 'prod-node-01.dc1.novacron.io',
     'production', 'online', 'us-east-1', '10.0.1.11', 64, 262144, 4000,
     '{"rack": "r01", "cpu": "epyc-7543", "ssd": true}', now() - interval '10 seconds'),
    ('30000000-0000-4000-8000-000000000002', 'prod-node-02', 'prod-node-02.dc1.novacron.io',
     'production', 'online', 'us-east-1', '10.0.1.12', 64, 262144, 4000,
     '{"rack": "r01", "cpu": "epyc-7543", "ssd": true}', now() - interval '12 seconds'),
    ('30000000-0000-4000-8000-000000000003', 'prod-node-03', 'prod-node-03.dc1.novacron.io',
     'production', 'draining', 'us-east-1', '10.0.1.13', 128, 524288, 8000,
     '{"rack": "r02", "cpu": "epyc-9654", "gpu": "a100"}', now() - interval '8 seconds'),
    ('30000000-0000-4000-8000-000000000004', 'dev-node-01', 'dev-node-01.dc1.novacron.io',
     'development', 'online', 'us-east-1', '10.0.2.11', 32, 131072, 2000,
     '{"rack": "r10"}', now() - interval '15 seconds'),
    ('30000000-0000-4000-8000-000000000005', 'dev-node-02', 'dev-node-02.dc1.novacron.io',
     'development', 'maintenance', 'us-east-1', '10.0.2.12', 32, 131072, 2000,
     '{"rack": "r10"}', now() - interval '20 minutes'),
    ('30000000-0000-4000-8000-000000000006', 'test-node-01', 'test-node-01.dc2.novacron.io',
     'test', 'online', 'eu-west-1', '10.1.3.11', 16, 65536, 1000,
     '{"rack": "t01"}', now() - interval '5 seconds'),
    ('30000000-0000-4000-8000-000000000007', 'test-node-02', 'test-node-02.dc2.novacron.io',
     'test', 'offline', 'eu-west-1', '10.1.3.12', 16, 65536, 1000,
     '{"rack": "t01"}', now() - interval '6 hours'),
    ('30000000-0000-4000-8000-000000000008', 'edge-node-01', 'edge-node-01.nyc.novacron.io',
     'edge', 'online', 'us-east-edge-nyc', '192.168.50.10', 8, 32768, 500,
     '{"site": "nyc-pop-1", "arch": "arm64"}', now() - interval '30 seconds'),
    ('30000000-0000-4000-8000-000000000009', 'edge-node-02', 'edge-node-02.sfo.novacron.io',
     'edge', 'online', 'us-west-edge-sfo', '192.168.60.10', 8, 32768, 500,
     '{"site": "sfo-pop-1", "arch": "arm64"}', now() - interval '25 seconds')
ON CONFLICT (id) DO NOTHING;
