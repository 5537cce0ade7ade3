DROP FUNCTION set_updated_at();

-- IF EXISTS mirrors the up's IF NOT EXISTS. Fails (as it should) if objects
-- outside these migrations still depend on pgcrypto.
DROP EXTENSION IF EXISTS pgcrypto;
