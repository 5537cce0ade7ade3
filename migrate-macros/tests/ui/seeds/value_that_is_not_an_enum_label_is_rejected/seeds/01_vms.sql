INSERT INTO vms (id, name, state)
VALUES (1, 'web-1', 'running'),
       (2, 'web-2', 'runing');
