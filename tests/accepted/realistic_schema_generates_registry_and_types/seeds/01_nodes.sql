INSERT INTO nodes (hostname) VALUES ('hv-1');
