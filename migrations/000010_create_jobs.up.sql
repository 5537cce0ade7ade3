-- Asynchronous job queue. Workers claim work with
--   SELECT ... FROM jobs
--    WHERE status = 'pending' AND run_at <= now()
--    ORDER BY priority DESC, run_at
--    LIMIT 1 FOR UPDATE SKIP LOCKED;
-- then set status = 'running', locked_by, locked_at and attempts = attempts + 1.

CREATE TYPE job_status AS ENUM ('pending', 'running', 'completed', 'failed', 'cancelled');

CREATE TABLE jobs (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- What to do, e.g. 'vm.snapshot', 'node.drain'. (job_type, not type: type is
    -- a Rust keyword and these columns become struct fields.)
    job_type     text        NOT NULL,
    payload      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status       job_status  NOT NULL DEFAULT 'pending',
    -- Higher runs first.
    priority     integer     NOT NULL DEFAULT 0,
    -- Not before this time (delayed jobs, retry back-off).
    run_at       timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL DEFAULT 3,
    -- Worker id holding the job while it runs, and since when (stale-lock sweep).
    locked_by    text,
    locked_at    timestamptz,
    last_error   text,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_pkey PRIMARY KEY (id),
    CONSTRAINT jobs_job_type_check CHECK (btrim(job_type) <> ''),
    CONSTRAINT jobs_priority_check CHECK (priority BETWEEN -1000 AND 1000),
    CONSTRAINT jobs_attempts_check CHECK (attempts >= 0 AND attempts <= max_attempts),
    CONSTRAINT jobs_max_attempts_check CHECK (max_attempts > 0),
    -- A running job is held by a worker.
    CONSTRAINT jobs_running_check CHECK (
        status <> 'running' OR (locked_by IS NOT NULL AND locked_at IS NOT NULL)
    )
);

-- The claim query above: only pending rows are indexed, in claim order, so the
-- index stays small however many finished jobs the table keeps.
CREATE INDEX jobs_pending_idx ON jobs (priority DESC, run_at)
    WHERE status = 'pending';
-- Finding jobs whose worker died (locked too long ago).
CREATE INDEX jobs_running_locked_at_idx ON jobs (locked_at)
    WHERE status = 'running';

CREATE TRIGGER jobs_set_updated_at
    BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
