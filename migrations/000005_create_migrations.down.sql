DROP TRIGGER migrations_set_updated_at ON migrations;
DROP INDEX migrations_initiated_by_idx;
DROP INDEX migrations_target_node_id_idx;
DROP INDEX migrations_source_node_id_idx;
DROP INDEX migrations_vm_id_created_at_idx;
DROP INDEX migrations_vm_id_active_key;
DROP TABLE migrations;
DROP TYPE migration_status;
DROP TYPE migration_type;
