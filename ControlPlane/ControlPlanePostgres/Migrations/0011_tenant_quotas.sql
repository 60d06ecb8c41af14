-- Tenant quotas and per-tenant configuration versions (issue 13).

-- What a tenant may keep (set by platform staff with PUT /v1/platform/tenants/{id}/limits, enforced by
-- the create use cases under a lock on the tenant row; see QuotaRepository). Defaults:
-- 200 agents, 100 numbers, 200 prompts, 200 MiB of prompt audio, 50 active API keys, 200 users,
-- 100 queues, 100 IVR flows. Lowering a quota below the usage keeps what exists and refuses new rows.
ALTER TABLE tenants
    ADD COLUMN max_agents       integer NOT NULL DEFAULT 200 CHECK (max_agents BETWEEN 0 AND 100000),
    ADD COLUMN max_numbers      integer NOT NULL DEFAULT 100 CHECK (max_numbers BETWEEN 0 AND 100000),
    ADD COLUMN max_prompts      integer NOT NULL DEFAULT 200 CHECK (max_prompts BETWEEN 0 AND 100000),
    ADD COLUMN max_prompt_bytes bigint  NOT NULL DEFAULT 209715200 CHECK (max_prompt_bytes BETWEEN 0 AND 107374182400),
    ADD COLUMN max_api_keys     integer NOT NULL DEFAULT 50  CHECK (max_api_keys BETWEEN 0 AND 100000),
    ADD COLUMN max_users        integer NOT NULL DEFAULT 200 CHECK (max_users BETWEEN 0 AND 100000),
    ADD COLUMN max_queues       integer NOT NULL DEFAULT 100 CHECK (max_queues BETWEEN 0 AND 100000),
    ADD COLUMN max_ivr_flows    integer NOT NULL DEFAULT 100 CHECK (max_ivr_flows BETWEEN 0 AND 100000);

-- Configuration versions. Until now one row (config_epoch) was bumped by every configuration change
-- of every tenant, so all tenants' configuration writes queued on that row's lock. Now:
-- * tenants.config_version: bumped (under the tenant row's lock, which only that tenant's writers take)
--   by every change to the tenant's row or to the configuration a node serves for it;
-- * nodes.placement_epoch: grows when a tenant leaves the node (rare: staff moves, failover);
-- * a node's snapshot version = placement_epoch + Σ config_version of the tenants homed on it
--   (PlacementRepository.configVersion).
-- Why that version only grows (so a node never sees a value twice, and `ifNewerThan` stays right):
-- every term is ≥ 1 and only grows; a tenant arriving adds its version (≥ 1); a tenant leaving
-- bumps its own version v_old → v_old + 1 first (taking its row lock, so no other change of that tenant
-- can commit in between) and adds the bumped value to the old node's epoch in the same transaction, so
-- that node's version goes from E + v_old + R to E + v_old + 1 + R. Every change of the node's
-- tenants or placements therefore raises the sum by at least one.
ALTER TABLE tenants ADD COLUMN config_version bigint NOT NULL DEFAULT 1 CHECK (config_version >= 1);
ALTER TABLE nodes ADD COLUMN placement_epoch bigint NOT NULL DEFAULT 0;
-- Start above every version a node saw from the old global counter.
UPDATE nodes SET placement_epoch = (SELECT version FROM config_epoch WHERE id = 1);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenants', 'agents', 'agent_skills', 'skills', 'agent_group_members', 'queues',
                             'phone_numbers', 'ivr_aliases', 'tenant_placements', 'queue_members', 'prompts']
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_config_epoch', t);
    END LOOP;
END
$$;
DROP FUNCTION bump_config_epoch();
DROP TABLE config_epoch;

-- Row triggers (a statement that changes nothing must not make nodes re-fetch). They run as the
-- caller, so row-level security applies: a tenant's transaction can bump only its own row.
CREATE FUNCTION bump_tenant_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_tenant uuid;
    new_tenant uuid;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_tenant := OLD.tenant_id; END IF;
    IF TG_OP <> 'DELETE' THEN new_tenant := NEW.tenant_id; END IF;
    UPDATE tenants SET config_version = config_version + 1 WHERE id IN (old_tenant, new_tenant);
    RETURN NULL;
END
$$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'agent_skills', 'skills', 'agent_group_members', 'queues',
                             'phone_numbers', 'ivr_aliases', 'queue_members', 'prompts']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version()', t || '_config_version', t);
    END LOOP;
END
$$;

-- A change to the tenant's own row (settings, limits, status) is a configuration change too.
CREATE FUNCTION tenant_row_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.config_version = OLD.config_version AND NEW IS DISTINCT FROM OLD THEN
        NEW.config_version := OLD.config_version + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER tenants_config_version BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenant_row_config_version();

-- A placement change bumps the tenant (arrival: the new node's sum grows by its version) and, on a
-- departure, adds the bumped version to the old node's epoch (see the argument above).
CREATE FUNCTION placement_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tenant  uuid;
    left_node uuid;
    bumped  bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        tenant := OLD.tenant_id;
        left_node := OLD.node_id;
    ELSE
        tenant := NEW.tenant_id;
        IF TG_OP = 'UPDATE' THEN
            IF OLD.node_id IS DISTINCT FROM NEW.node_id THEN left_node := OLD.node_id; END IF;
        END IF;
    END IF;
    UPDATE tenants SET config_version = config_version + 1 WHERE id = tenant RETURNING config_version INTO bumped;
    IF bumped IS NOT NULL AND left_node IS NOT NULL THEN
        UPDATE nodes SET placement_epoch = placement_epoch + bumped WHERE id = left_node;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_placements_config_version AFTER INSERT OR UPDATE OR DELETE ON tenant_placements
    FOR EACH ROW EXECUTE FUNCTION placement_config_version();

-- A deleted tenant leaves its node's sum: add what it contributed, plus one, to that node's epoch
-- (the cascade that deletes the placement then finds no tenant row to bump).
CREATE FUNCTION tenant_deleted_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE nodes SET placement_epoch = placement_epoch + OLD.config_version + 1
    WHERE id = (SELECT node_id FROM tenant_placements WHERE tenant_id = OLD.id);
    RETURN OLD;
END
$$;
CREATE TRIGGER tenants_deleted_config_version BEFORE DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenant_deleted_config_version();
