-- Foundation: tenants, users, sessions, API keys, tenant configuration, number inventory, nodes.
--
-- Tenant isolation (second wall behind the application's own scoping):
-- * every tenant-owned table has tenant_id and row-level security ENABLEd and FORCEd;
-- * the application runs as role cc_app (no BYPASSRLS, not an owner);
-- * policy `tenant_isolation`: rows of the tenant named by the transaction-local setting app.tenant_id;
-- * policy `platform_access`: all rows when the transaction-local setting app.scope = 'platform', which
--   the application sets only for platform-staff routes and credential lookups (see Database.swift).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cc_app') THEN
        CREATE ROLE cc_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

CREATE FUNCTION app_tenant_id() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
$$;

CREATE FUNCTION app_is_platform() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('app.scope', true), '') = 'platform'
$$;

CREATE TABLE tenants (
    id               uuid PRIMARY KEY,
    slug             text NOT NULL UNIQUE,
    name             text NOT NULL,
    contact_email    text NOT NULL,
    timezone         text NOT NULL,
    default_language text NOT NULL,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    sip_domain       text NOT NULL UNIQUE,
    allow_md5_digest boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    tenant_id     uuid REFERENCES tenants(id) ON DELETE CASCADE,
    email         text NOT NULL,
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('platform_staff', 'tenant_admin', 'supervisor', 'agent')),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'platform_staff') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, lower(email)) WHERE tenant_id IS NOT NULL;
CREATE UNIQUE INDEX users_staff_email ON users (lower(email)) WHERE tenant_id IS NULL;
CREATE INDEX users_page ON users (tenant_id, created_at, id);

CREATE TABLE sessions (
    id          uuid PRIMARY KEY,
    tenant_id   uuid REFERENCES tenants(id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL UNIQUE,
    secret_hash  bytea NOT NULL,
    scopes       text[] NOT NULL,
    created_by   uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_page ON api_keys (tenant_id, created_at, id);

CREATE TABLE skills (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
CREATE INDEX skills_page ON skills (tenant_id, created_at, id);

CREATE TABLE agents (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id       uuid REFERENCES users(id) ON DELETE SET NULL,
    name          text NOT NULL,
    extension     text NOT NULL,
    sip_username  text NOT NULL,
    ha1_md5       text NOT NULL,
    ha1_sha256    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, extension),
    UNIQUE (tenant_id, sip_username)
);
CREATE INDEX agents_page ON agents (tenant_id, created_at, id);

CREATE TABLE agent_skills (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    agent_id  uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    skill_id  uuid NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    level     smallint NOT NULL CHECK (level BETWEEN 1 AND 10),
    PRIMARY KEY (agent_id, skill_id)
);

CREATE TABLE agent_groups (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
CREATE INDEX agent_groups_page ON agent_groups (tenant_id, created_at, id);

CREATE TABLE agent_group_members (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    group_id  uuid NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,
    agent_id  uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, agent_id)
);

CREATE TABLE queues (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       text NOT NULL,
    config     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
CREATE INDEX queues_page ON queues (tenant_id, created_at, id);

-- The number inventory: tenant_id NULL = not allocated (visible to platform staff only).
CREATE TABLE phone_numbers (
    id             uuid PRIMARY KEY,
    e164           text NOT NULL UNIQUE CHECK (e164 ~ '^\+[1-9][0-9]{1,14}$'),
    tenant_id      uuid REFERENCES tenants(id) ON DELETE SET NULL,
    route_type     text NOT NULL DEFAULT 'none' CHECK (route_type IN ('none', 'queue', 'ivr')),
    route_queue_id uuid REFERENCES queues(id) ON DELETE SET NULL,
    route_ivr_alias text,
    allocated_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_numbers_page ON phone_numbers (tenant_id, created_at, id);

-- Media nodes are platform infrastructure, not tenant data.
CREATE TABLE nodes (
    id                uuid PRIMARY KEY,
    name              text NOT NULL,
    credential_prefix text NOT NULL UNIQUE,
    credential_hash   bytea NOT NULL,
    admin_state       text NOT NULL DEFAULT 'active' CHECK (admin_state IN ('active', 'draining', 'cordoned')),
    down              boolean NOT NULL DEFAULT false,
    sip_address       text,
    version           text,
    load              jsonb,
    config_version    bigint NOT NULL DEFAULT 0,
    last_heartbeat_at timestamptz,
    registered_at     timestamptz NOT NULL DEFAULT now(),
    removed_at        timestamptz
);
CREATE INDEX nodes_page ON nodes (registered_at, id);

-- Row-level security on every tenant-owned table.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'sessions', 'api_keys', 'skills', 'agents', 'agent_skills',
                             'agent_groups', 'agent_group_members', 'queues', 'phone_numbers']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
                       'WITH CHECK (tenant_id = app_tenant_id())', t);
        EXECUTE format('CREATE POLICY platform_access ON %I USING (app_is_platform()) '
                       'WITH CHECK (app_is_platform())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO cc_app', t);
    END LOOP;
END
$$;

-- tenants: a tenant sees only its own row; creation (signup) and listing are platform scope.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());
CREATE POLICY platform_access ON tenants USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE ON tenants TO cc_app;

ALTER TABLE nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_access ON nodes USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE, DELETE ON nodes TO cc_app;
