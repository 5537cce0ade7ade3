-- Append-only audit trail of who did what to which resource.

CREATE TABLE audit_logs (
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- SET NULL: the trail must survive the deletion of the user or tenant.
    organization_id uuid,
    actor_id        uuid,
    action          text        NOT NULL,
    resource_type   text        NOT NULL,
    resource_id     uuid,
    details         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ip_address      inet,
    user_agent      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_pkey PRIMARY KEY (id),
    CONSTRAINT audit_logs_organization_id_fkey FOREIGN KEY (organization_id)
        REFERENCES organizations (id) ON DELETE SET NULL,
    CONSTRAINT audit_logs_actor_id_fkey FOREIGN KEY (actor_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT audit_logs_action_check CHECK (btrim(action) <> ''),
    CONSTRAINT audit_logs_details_check CHECK (jsonb_typeof(details) = 'object')
);

-- "What did this user do", "what happened to this resource", "tenant's trail".
-- They double as the foreign-key indexes for the SET NULL actions.
CREATE INDEX audit_logs_actor_id_created_at_idx ON audit_logs (actor_id, created_at DESC);
CREATE INDEX audit_logs_resource_idx ON audit_logs (resource_type, resource_id, created_at DESC);
CREATE INDEX audit_logs_organization_id_created_at_idx ON audit_logs (organization_id, created_at DESC);
-- Time-range scans and retention over an insert-ordered table: BRIN is tiny.
CREATE INDEX audit_logs_created_at_brin_idx ON audit_logs USING brin (created_at);

-- Append-only: rows are never edited. The one UPDATE allowed is the one the
-- foreign keys' ON DELETE SET NULL performs (actor_id / organization_id set to
-- NULL, nothing else changed). DELETE stays possible for retention purges.
CREATE FUNCTION audit_logs_reject_update() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF (to_jsonb(NEW) - 'actor_id' - 'organization_id') = (to_jsonb(OLD) - 'actor_id' - 'organization_id')
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.organization_id IS NULL OR NEW.organization_id = OLD.organization_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only: rows cannot be updated'
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_logs_append_only
    BEFORE UPDATE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_reject_update();
