-- Login throttling (issue 13): failed-login counters shared by every control-plane instance and
-- updated atomically (the row lock of the upsert orders concurrent attempts). Keys are SHA-256 of
-- "source|<ip>" and "account|<tenant>|<email>|<ip>", so neither addresses nor emails are stored.
-- Not tenant data: only login (platform scope) reads or writes it.
CREATE TABLE login_throttle (
    key_hash     bytea PRIMARY KEY,
    attempts     integer NOT NULL,
    window_start timestamptz NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);
ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_access ON login_throttle USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO cc_app;
