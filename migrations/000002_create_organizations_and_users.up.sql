-- Tenants and their user accounts (RBAC).

CREATE TABLE organizations (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    name        text        NOT NULL,
    -- URL-safe identifier: lower-case words joined by single hyphens.
    slug        text        NOT NULL,
    description text,
    settings    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id),
    CONSTRAINT organizations_slug_key UNIQUE (slug),
    CONSTRAINT organizations_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT organizations_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT organizations_settings_check CHECK (jsonb_typeof(settings) = 'object')
);

CREATE TRIGGER organizations_set_updated_at
    BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TYPE user_role AS ENUM ('admin', 'operator', 'viewer');

CREATE TYPE user_status AS ENUM ('active', 'inactive', 'suspended', 'pending');

CREATE TABLE users (
    id                    uuid        NOT NULL DEFAULT gen_random_uuid(),
    organization_id       uuid        NOT NULL,
    username              text        NOT NULL,
    email                 text        NOT NULL,
    full_name             text,
    role                  user_role   NOT NULL DEFAULT 'viewer',
    -- New accounts wait for activation (e-mail confirmation or an admin).
    status                user_status NOT NULL DEFAULT 'pending',
    -- A crypt()-style hash ($2a$..., $argon2id$...), never the password itself.
    password_hash         text        NOT NULL,
    failed_login_attempts integer     NOT NULL DEFAULT 0,
    last_login_at         timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username),
    -- Accounts belong to their tenant: deleting the tenant deletes them.
    CONSTRAINT users_organization_id_fkey FOREIGN KEY (organization_id)
        REFERENCES organizations (id) ON DELETE CASCADE,
    CONSTRAINT users_username_check CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    -- Rejects a plain-text password stored by mistake: modular crypt format only.
    CONSTRAINT users_password_hash_check CHECK (password_hash ~ '^\$[0-9a-z-]+\$'),
    CONSTRAINT users_failed_login_attempts_check CHECK (failed_login_attempts >= 0)
);

-- E-mail addresses are unique regardless of case (no citext, which the Rust
-- type mapping does not know).
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Foreign-key index: listing a tenant's users, and ON DELETE CASCADE.
CREATE INDEX users_organization_id_idx ON users (organization_id);

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
