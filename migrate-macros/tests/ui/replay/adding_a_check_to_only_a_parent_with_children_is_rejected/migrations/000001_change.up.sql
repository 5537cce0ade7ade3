CREATE TABLE vms (id int, cores int);
CREATE TABLE archived_vms () INHERITS (vms);
ALTER TABLE ONLY vms ADD CHECK (cores > 0);
