DROP TRIGGER nodes_set_updated_at ON nodes;
DROP INDEX nodes_environment_status_idx;
DROP TABLE nodes;
DROP TYPE node_status;
DROP TYPE node_environment;
