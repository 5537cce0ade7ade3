DROP TRIGGER audit_logs_append_only ON audit_logs;
DROP FUNCTION audit_logs_reject_update();
DROP INDEX audit_logs_created_at_brin_idx;
DROP INDEX audit_logs_organization_id_created_at_idx;
DROP INDEX audit_logs_resource_idx;
DROP INDEX audit_logs_actor_id_created_at_idx;
DROP TABLE audit_logs;
