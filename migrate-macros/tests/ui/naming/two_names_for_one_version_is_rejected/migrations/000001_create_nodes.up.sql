CREATE TABLE nodes (id bigint PRIMARY KEY);
