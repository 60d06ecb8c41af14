-- CDR partitions made ahead by a maintenance job, also when rows already wait in the default
-- partition (issue 13): a control plane running across a month boundary wrote that month's CDRs
-- into cdrs_default, after which CREATE TABLE ... PARTITION OF failed for that month for good.
-- Now such a month's partition is created detached, its rows moved out of the default partition,
-- and the partition attached, in one transaction (the caller's).
CREATE OR REPLACE FUNCTION ensure_cdr_partitions(months_ahead integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    month date := date_trunc('month', now() - interval '1 month')::date;
    last  date := date_trunc('month', now() + make_interval(months => least(greatest(months_ahead, 0), 120)))::date;
    oldest date;
    next  date;
    name  text;
    made  integer := 0;
BEGIN
    -- Months that already have rows in the default partition get theirs too (at most two years back).
    -- Rows are read through the parent (its RLS policies apply; the caller is in platform scope),
    -- restricted to the default partition by tableoid.
    SELECT date_trunc('month', min(started_at))::date INTO oldest FROM cdrs WHERE tableoid = 'cdrs_default'::regclass;
    IF oldest IS NOT NULL THEN
        month := least(month, greatest(oldest, date_trunc('month', now() - interval '24 months')::date));
    END IF;
    WHILE month <= last LOOP
        name := format('cdrs_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM'));
        next := (month + interval '1 month')::date;
        IF to_regclass(name) IS NULL THEN
            IF EXISTS (SELECT 1 FROM cdrs WHERE started_at >= month AND started_at < next) THEN  -- only the default can hold them
                EXECUTE format('CREATE TABLE %I (LIKE cdrs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
                EXECUTE format('INSERT INTO %I SELECT * FROM cdrs WHERE started_at >= %L AND started_at < %L',
                               name, month, next);
                DELETE FROM cdrs WHERE started_at >= month AND started_at < next;
                EXECUTE format('ALTER TABLE cdrs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, month, next);
            ELSE
                EXECUTE format('CREATE TABLE %I PARTITION OF cdrs FOR VALUES FROM (%L) TO (%L)', name, month, next);
            END IF;
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
            EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', name);
            made := made + 1;
        END IF;
        month := next;
    END LOOP;
    RETURN made;
END
$$;
REVOKE ALL ON FUNCTION ensure_cdr_partitions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_cdr_partitions(integer) TO cc_app;
