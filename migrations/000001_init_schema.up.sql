-- Shared building blocks every later migration relies on.

-- pgcrypto provides crypt()/gen_salt() for bcrypt password hashes (the seeds use
-- them). gen_random_uuid() is built into PostgreSQL 13+, so it does not need it.
-- IF NOT EXISTS: managed PostgreSQL services often pre-install the extension.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Keeps updated_at honest without relying on every writer to set it: every table
-- with an updated_at column gets a BEFORE UPDATE trigger calling this function.
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
