CREATE TABLE vms (id int);
