-- Agent state changes requested through the API, delivered to the node that homes the tenant
-- (long-poll on the node channel) and acknowledged by it. The node's ACD is the authority on agent
-- state; this table is the request and its outcome.
CREATE TABLE agent_commands (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    agent_id     uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    state        text NOT NULL CHECK (state IN ('available', 'break', 'logged_out')),
    reason       text,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'applied', 'failed')),
    detail       text,
    node_id      uuid REFERENCES nodes(id),
    requested_by uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    completed_at timestamptz
);
CREATE INDEX agent_commands_open ON agent_commands (tenant_id, created_at) WHERE status IN ('pending', 'delivered');
ALTER TABLE agent_commands ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_commands FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agent_commands USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY platform_access ON agent_commands USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE ON agent_commands TO cc_app;
