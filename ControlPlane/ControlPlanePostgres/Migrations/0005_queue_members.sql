-- Who serves a queue: agents directly or through agent groups, each with a tier (Asterisk's
-- "penalty": 0 is offered first) and a weight. A queue without members is served by every agent
-- of its tenant (queues then pick by required skills).
CREATE TABLE queue_members (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    queue_id  uuid NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    position  integer NOT NULL,
    agent_id  uuid REFERENCES agents(id) ON DELETE CASCADE,
    group_id  uuid REFERENCES agent_groups(id) ON DELETE CASCADE,
    tier      integer NOT NULL DEFAULT 0 CHECK (tier BETWEEN 0 AND 9),
    weight    integer NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (queue_id, position),
    CHECK ((agent_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX queue_members_agent ON queue_members (queue_id, agent_id) WHERE agent_id IS NOT NULL;
CREATE UNIQUE INDEX queue_members_group ON queue_members (queue_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX queue_members_tenant ON queue_members (tenant_id);
ALTER TABLE queue_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE queue_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON queue_members USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY platform_access ON queue_members USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE, DELETE ON queue_members TO cc_app;
CREATE TRIGGER queue_members_config_epoch AFTER INSERT OR UPDATE OR DELETE ON queue_members
    FOR EACH ROW EXECUTE FUNCTION bump_config_epoch();
