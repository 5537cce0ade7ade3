INSERT INTO vm (id, name) VALUES (1, 'web-1');
