CREATE TABLE vms (id bigint PRIMARY KEY);
COMMIT;
CREATE INDEX vms_id ON vms (id);
