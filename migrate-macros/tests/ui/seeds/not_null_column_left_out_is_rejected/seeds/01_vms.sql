INSERT INTO vms (id, state) VALUES (1, 'running');
