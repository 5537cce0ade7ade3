DROP TRIGGER users_set_updated_at ON users;
DROP INDEX users_organization_id_idx;
DROP INDEX users_email_lower_key;
DROP TABLE users;
DROP TYPE user_status;
DROP TYPE user_role;
DROP TRIGGER organizations_set_updated_at ON organizations;
DROP TABLE organizations;
