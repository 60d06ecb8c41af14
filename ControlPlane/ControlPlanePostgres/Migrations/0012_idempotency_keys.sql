-- Idempotency keys (issue 13, draft-ietf-httpapi-idempotency-key-header): a creating POST sent with
-- `Idempotency-Key` is recorded per principal and key with a SHA-256 fingerprint of method, path and
-- body, so a retry gets the first answer again instead of creating a second resource.
-- * state 'in_flight' while the first request runs (a concurrent duplicate gets 409), 'completed'
--   once it answered 2xx; a failed request deletes its row (nothing was created; a retry runs again).
-- * response_body is NULL when the answer is not replayed: it showed a secret once (API keys, SIP
--   secrets, bootstrap tokens are stored only as hashes) or it was larger than the stored bound.
-- * rows expire after 24 hours (expires_at); an expiry job deletes them.
-- Tenant-owned like every tenant table (platform staff's keys have no tenant and need platform scope).
CREATE TABLE idempotency_keys (
    principal             text NOT NULL CHECK (length(principal) <= 100),
    idempotency_key       text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    tenant_id             uuid REFERENCES tenants(id) ON DELETE CASCADE,
    fingerprint           bytea NOT NULL CHECK (length(fingerprint) = 32),
    state                 text NOT NULL CHECK (state IN ('in_flight', 'completed')),
    response_status       integer,
    response_location     text,
    response_content_type text,
    response_body         bytea CHECK (length(response_body) <= 65536),
    created_at            timestamptz NOT NULL DEFAULT now(),
    expires_at            timestamptz NOT NULL,
    PRIMARY KEY (principal, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
CREATE INDEX idempotency_keys_tenant ON idempotency_keys (tenant_id);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY platform_access ON idempotency_keys USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO cc_app;
