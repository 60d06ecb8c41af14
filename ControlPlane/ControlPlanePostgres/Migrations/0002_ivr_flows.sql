-- IVR flows: immutable versions, aliases that numbers route to, and each alias's publication history
-- (the basis of rollback).

CREATE TABLE ivr_flow_versions (
    tenant_id  uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow_name  text NOT NULL,
    version    integer NOT NULL CHECK (version >= 1),
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    id         uuid NOT NULL UNIQUE,
    PRIMARY KEY (tenant_id, flow_name, version)
);

CREATE TABLE ivr_aliases (
    tenant_id  uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    alias      text NOT NULL,
    flow_name  text NOT NULL,
    version    integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, alias),
    FOREIGN KEY (tenant_id, flow_name, version) REFERENCES ivr_flow_versions (tenant_id, flow_name, version)
);

CREATE TABLE ivr_alias_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    alias        text NOT NULL,
    flow_name    text NOT NULL,
    version      integer NOT NULL,
    published_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ivr_alias_history_lookup ON ivr_alias_history (tenant_id, alias, id DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ivr_flow_versions', 'ivr_aliases', 'ivr_alias_history']
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
