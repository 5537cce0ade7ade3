CREATE TABLE hosts (id int, rack int);
UPDATE hosts SET rack = (SELECT r.id FROM racks AS r WHERE r.id = hosts.id);
