DROP TRIGGER api_keys_set_updated_at ON api_keys;
DROP INDEX api_keys_user_id_idx;
DROP TABLE api_keys;
DROP INDEX sessions_expires_at_idx;
DROP INDEX sessions_user_id_idx;
DROP TABLE sessions;
