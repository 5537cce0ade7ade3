CREATE TABLE nodes (id bigint PRIMARY KEY);
CREATE TABLE vms (id bigint PRIMARY KEY, node_id bigint REFERENCES nodes (id));
