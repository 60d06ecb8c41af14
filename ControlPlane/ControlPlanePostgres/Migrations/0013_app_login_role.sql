-- The request pool's login role (issue 13). Until now the pool logged in as the owner and switched
-- to cc_app with the startup parameter role=cc_app, so a RESET ROLE in an injected statement would
-- have been the owner again. cc_app_login can log in, is a member of cc_app only (inheriting its
-- grants), has no BYPASSRLS and owns nothing: SET ROLE/RESET ROLE can reach nothing more. Its password
-- is set by the control plane at start (AppDatabaseLogin: derived from a local secret).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cc_app_login') THEN
        CREATE ROLE cc_app_login LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
END
$$;
GRANT cc_app TO cc_app_login;
