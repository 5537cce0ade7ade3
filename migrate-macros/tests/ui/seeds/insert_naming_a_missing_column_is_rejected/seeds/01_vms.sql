INSERT INTO vms (id, nmae) VALUES (1, 'web-1');
