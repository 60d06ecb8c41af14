-- Node channel: tenant placement on media nodes, configuration versioning, CDRs.

-- Which node homes each tenant (its ACD state lives there).
CREATE TABLE tenant_placements (
    tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    node_id   uuid NOT NULL REFERENCES nodes(id),
    placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenant_placements_node ON tenant_placements (node_id);
ALTER TABLE tenant_placements ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_placements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_placements USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY platform_access ON tenant_placements USING (app_is_platform()) WITH CHECK (app_is_platform());
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_placements TO cc_app;

-- One counter bumped by every row change to configuration a node serves (row triggers: a statement
-- that changes nothing must not make every node re-fetch); nodes poll it.
CREATE TABLE config_epoch (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO config_epoch VALUES (1, 1);
GRANT SELECT, UPDATE ON config_epoch TO cc_app;

CREATE FUNCTION bump_config_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE config_epoch SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenants', 'agents', 'agent_skills', 'skills', 'agent_group_members', 'queues',
                             'phone_numbers', 'ivr_aliases', 'tenant_placements']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION bump_config_epoch()', t || '_config_epoch', t);
    END LOOP;
END
$$;

-- CDRs, partitioned by month of start; `cdr_ids` makes ingestion idempotent across partitions.
CREATE TABLE cdr_ids (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    started_at   timestamptz NOT NULL,
    content_hash text NOT NULL
);

CREATE TABLE cdrs (
    id           uuid NOT NULL,
    tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    node_id      uuid,
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz NOT NULL,
    caller       text NOT NULL,
    callee       text NOT NULL,
    did          text,
    queue_id     uuid,
    agent_id     uuid,
    disposition  text NOT NULL,
    document     jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, started_at)
) PARTITION BY RANGE (started_at);
CREATE TABLE cdrs_default PARTITION OF cdrs DEFAULT;
ALTER TABLE cdrs_default ENABLE ROW LEVEL SECURITY;
ALTER TABLE cdrs_default FORCE ROW LEVEL SECURITY;
CREATE INDEX cdrs_tenant_time ON cdrs (tenant_id, started_at DESC, id DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cdr_ids', 'cdrs']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
                       'WITH CHECK (tenant_id = app_tenant_id())', t);
        EXECUTE format('CREATE POLICY platform_access ON %I USING (app_is_platform()) '
                       'WITH CHECK (app_is_platform())', t);
        EXECUTE format('GRANT SELECT, INSERT ON %I TO cc_app', t);
    END LOOP;
END
$$;

-- Creates the monthly partitions from last month to `months_ahead` months ahead (idempotent).
-- SECURITY DEFINER: the application role may call it but cannot create tables itself.
CREATE FUNCTION ensure_cdr_partitions(months_ahead integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    month date := date_trunc('month', now() - interval '1 month')::date;
    last  date := date_trunc('month', now() + make_interval(months => months_ahead))::date;
    name  text;
    made  integer := 0;
BEGIN
    WHILE month <= last LOOP
        name := format('cdrs_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF cdrs FOR VALUES FROM (%L) TO (%L)',
                           name, month, (month + interval '1 month')::date);
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
            EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', name);
            made := made + 1;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN made;
END
$$;
REVOKE ALL ON FUNCTION ensure_cdr_partitions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_cdr_partitions(integer) TO cc_app;
SELECT ensure_cdr_partitions(3);
