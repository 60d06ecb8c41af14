-- Node trust (issue 13): which node may write a tenant's CDRs and events, bootstrap tokens that
-- expire and can be revoked, and removed nodes that stay removed.

-- Where each tenant was homed before: a node keeps writing a tenant's late CDRs and events for a
-- while after the tenant moved away (the window is the application's, 24 h by default).
CREATE TABLE tenant_placement_history (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    node_id   uuid NOT NULL REFERENCES nodes(id),
    left_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, node_id, left_at)
);
CREATE INDEX tenant_placement_history_node ON tenant_placement_history (node_id, left_at);
ALTER TABLE tenant_placement_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_placement_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_placement_history USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY platform_access ON tenant_placement_history USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT ON tenant_placement_history TO cc_app;

-- Runs as the caller (cc_app in platform scope, where placements change), so RLS applies to it too.
CREATE FUNCTION record_tenant_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_placement_history (tenant_id, node_id, left_at) VALUES (OLD.tenant_id, OLD.node_id, clock_timestamp());
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_placements_history AFTER UPDATE OF node_id ON tenant_placements
    FOR EACH ROW WHEN (OLD.node_id IS DISTINCT FROM NEW.node_id) EXECUTE FUNCTION record_tenant_move();

-- Bootstrap tokens made by platform staff: stored as SHA-256 only, expiring, revocable. The token
-- of CC_NODE_BOOTSTRAP_TOKEN is accepted only while none of these exists (see README).
CREATE TABLE node_bootstrap_tokens (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    token_prefix text NOT NULL UNIQUE,
    token_hash   bytea NOT NULL,
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX node_bootstrap_tokens_page ON node_bootstrap_tokens (created_at, id);
ALTER TABLE node_bootstrap_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE node_bootstrap_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_access ON node_bootstrap_tokens USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE ON node_bootstrap_tokens TO cc_app;

-- Which token registered a node (null: the configured one).
ALTER TABLE nodes ADD COLUMN bootstrap_token_id uuid REFERENCES node_bootstrap_tokens(id);
-- A removed node's name is retired: registering again under it is refused.
CREATE INDEX nodes_name ON nodes (name);
