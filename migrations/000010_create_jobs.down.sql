DROP TRIGGER jobs_set_updated_at ON jobs;
DROP INDEX jobs_running_locked_at_idx;
DROP INDEX jobs_pending_idx;
DROP TABLE jobs;
DROP TYPE job_status;
