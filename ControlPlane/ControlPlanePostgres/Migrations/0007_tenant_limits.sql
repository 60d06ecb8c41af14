-- What a tenant may use at once on its home node (issue 12): concurrent calls and registered
-- contacts, set by platform staff, carried in the node snapshot (the tenants trigger bumps it).
ALTER TABLE tenants
    ADD COLUMN max_concurrent_calls integer NOT NULL DEFAULT 100 CHECK (max_concurrent_calls BETWEEN 0 AND 100000),
    ADD COLUMN max_registrations    integer NOT NULL DEFAULT 500 CHECK (max_registrations BETWEEN 0 AND 100000);
