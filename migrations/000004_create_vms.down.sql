DROP TRIGGER vms_set_updated_at ON vms;
DROP INDEX vms_created_by_idx;
DROP INDEX vms_node_id_idx;
DROP TABLE vms;
DROP TYPE vm_state;
