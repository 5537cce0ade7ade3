INSERT INTO hosts (name) VALUES ('alpha'), ('beta');
