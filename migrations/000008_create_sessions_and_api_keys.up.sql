-- Credentials other than passwords: login sessions and API keys. Only hashes
-- of the secrets are stored, so a database leak does not leak usable tokens.

CREATE TABLE sessions (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid        NOT NULL,
    -- Hash (e.g. SHA-256 hex) of the session token the client holds.
    token_hash   text        NOT NULL,
    ip_address   inet,
    user_agent   text,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_seen_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    -- CASCADE: a session means nothing without its user.
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT sessions_expires_at_check CHECK (expires_at > created_at)
);

-- "Sessions of this user" (log out everywhere) and the foreign-key index.
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
-- Purging expired sessions.
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE api_keys (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid        NOT NULL,
    name         text        NOT NULL,
    -- The first characters of the key, shown in the UI and used to find the
    -- row; the key itself is never stored, only key_hash.
    prefix       text        NOT NULL,
    key_hash     text        NOT NULL,
    scopes       text[]      NOT NULL DEFAULT '{}'::text[],
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    -- CASCADE: a key acts as its user and dies with it.
    CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT api_keys_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT api_keys_prefix_check CHECK (char_length(prefix) BETWEEN 4 AND 32),
    CONSTRAINT api_keys_expires_at_check CHECK (expires_at > created_at)
);

CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

CREATE TRIGGER api_keys_set_updated_at
    BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
