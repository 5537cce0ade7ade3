DROP TRIGGER alerts_set_updated_at ON alerts;
DROP INDEX alerts_acknowledged_by_idx;
DROP INDEX alerts_organization_id_idx;
DROP INDEX alerts_resource_idx;
DROP INDEX alerts_unresolved_idx;
DROP TABLE alerts;
DROP TYPE alert_status;
DROP TYPE alert_severity;
