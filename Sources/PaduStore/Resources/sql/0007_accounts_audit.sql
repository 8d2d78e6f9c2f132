-- Accounts, sessions, idempotency keys and the append-only audit log.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    -- A self-describing slow hash (bcrypt: $2b$cost$salt+hash): parameters travel with it.
    password_hash text NOT NULL CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$'),
    role text NOT NULL CHECK (role IN ('agency', 'coordinator', 'executive', 'admin')),
    agency_id bigint REFERENCES padu.agencies,
    scope padu.region_code NOT NULL REFERENCES padu.regions,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (role NOT IN ('agency', 'coordinator') OR agency_id IS NOT NULL)
);
CREATE TRIGGER accounts_touch BEFORE UPDATE ON padu.accounts
    FOR EACH ROW EXECUTE FUNCTION padu.touch_updated_at();

-- Bearer tokens are 256-bit random values; only their SHA-256 is stored.
CREATE TABLE padu.sessions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES padu.accounts ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_account ON padu.sessions (account_id) WHERE revoked_at IS NULL;

-- Failed logins by username and by client address, for rate limiting across API instances.
CREATE TABLE padu.login_failures (
    key text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON padu.login_failures (key, failed_at);

CREATE TABLE padu.idempotency_keys (
    account_id bigint NOT NULL DEFAULT padu.current_account() REFERENCES padu.accounts ON DELETE CASCADE,
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    status_code smallint NOT NULL,
    response_body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

CREATE TABLE padu.audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    account_id bigint DEFAULT padu.current_account(),
    agency_id bigint DEFAULT padu.current_agency(),
    role text NOT NULL DEFAULT current_user,
    request_id text DEFAULT padu.current_request(),
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text,
    detail jsonb
);
CREATE INDEX audit_log_entity ON padu.audit_log (entity, entity_id);
CREATE INDEX audit_log_account ON padu.audit_log (account_id, at);

-- Append-only, even for the owner: no UPDATE, DELETE or TRUNCATE ever succeeds.
CREATE FUNCTION padu.audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'PD004';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON padu.audit_log
    FOR EACH ROW EXECUTE FUNCTION padu.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON padu.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION padu.audit_log_append_only();

-- Writes an audit entry as the current request: who, for which agency and request, comes
-- from the request context, never from the caller's arguments.
CREATE FUNCTION padu.audit(action text, entity text, entity_id text DEFAULT NULL, detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    INSERT INTO padu.audit_log (account_id, agency_id, role, request_id, action, entity, entity_id, detail)
    VALUES (padu.current_account(), padu.current_agency(), session_user || '/' || current_setting('role'),
            padu.current_request(), action, entity, entity_id, detail);
END;

-- A backstop under the API's own entries: every statement that writes an audited table
-- leaves a row with its table, operation and row count.
CREATE FUNCTION padu.audit_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    affected bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO affected FROM old_rows;
    ELSE
        SELECT count(*) INTO affected FROM new_rows;
    END IF;
    IF affected > 0 THEN
        PERFORM padu.audit(lower(TG_OP), TG_TABLE_NAME, NULL, jsonb_build_object('rows', affected));
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agencies', 'cluster_members', 'clusters', 'reporting_periods', 'programs',
        'budget_allocations', 'realizations', 'progress_reports', 'households', 'household_kk', 'persons',
        'household_members', 'registry_entries', 'distribution_plans', 'plan_lines', 'plan_decisions',
        'deliveries', 'possible_duplicates', 'accounts'] LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON padu.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION padu.audit_statement()', t);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON padu.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION padu.audit_statement()', t);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON padu.%I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION padu.audit_statement()', t);
    END LOOP;
END
$$;

-- Sign-in. The API's login role (padu_api) reaches accounts and sessions only through these.

-- The stored hash for a username, for the API to verify a password against.
CREATE FUNCTION padu.login_candidate(p_username text)
RETURNS TABLE (account_id bigint, password_hash text, active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT id, password_hash, active FROM padu.accounts WHERE username = lower(p_username);
END;

-- Failures in the last window for any of the keys (username, client address).
CREATE FUNCTION padu.login_failures_recent(p_keys text[], p_window interval)
RETURNS TABLE (key text, failures bigint, oldest timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT key, count(*), min(failed_at) FROM padu.login_failures
     WHERE key = ANY (p_keys) AND failed_at > now() - p_window GROUP BY key;
END;

CREATE FUNCTION padu.login_failed(p_keys text[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    DELETE FROM padu.login_failures WHERE failed_at < now() - interval '1 day';
    INSERT INTO padu.login_failures (key) SELECT unnest(p_keys);
END;

CREATE FUNCTION padu.login_succeeded(p_account_id bigint, p_token_hash bytea, p_ttl interval, p_username_key text)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    expires timestamptz := now() + p_ttl;
BEGIN
    DELETE FROM padu.login_failures WHERE key = p_username_key;
    DELETE FROM padu.sessions WHERE account_id = p_account_id AND (expires_at < now() - interval '7 days');
    INSERT INTO padu.sessions (account_id, token_hash, expires_at) VALUES (p_account_id, p_token_hash, expires);
    PERFORM set_config('padu.account_id', p_account_id::text, true);
    PERFORM padu.audit('login', 'account', p_account_id::text);
    RETURN expires;
END
$$;

-- The account behind a token, if the session is live and the account active.
CREATE FUNCTION padu.authenticate(p_token_hash bytea)
RETURNS TABLE (account_id bigint, username text, role text, agency_id bigint, scope text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT a.id, a.username, a.role, a.agency_id, a.scope::text
      FROM padu.sessions s JOIN padu.accounts a ON a.id = s.account_id
     WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now() AND a.active;
END;

-- Ends the caller's own session.
CREATE FUNCTION padu.logout(p_token_hash bytea) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    WITH ended AS (
        UPDATE padu.sessions SET revoked_at = now()
         WHERE token_hash = p_token_hash AND account_id = padu.current_account() AND revoked_at IS NULL
        RETURNING 1)
    SELECT count(*) > 0 FROM ended;
END;

-- Deactivating an account or changing its password ends its sessions at once.
CREATE FUNCTION padu.accounts_end_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF (OLD.active AND NOT NEW.active) OR OLD.password_hash <> NEW.password_hash OR OLD.role <> NEW.role
       OR OLD.scope <> NEW.scope OR OLD.agency_id IS DISTINCT FROM NEW.agency_id THEN
        UPDATE padu.sessions SET revoked_at = now() WHERE account_id = NEW.id AND revoked_at IS NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_end_sessions AFTER UPDATE ON padu.accounts
    FOR EACH ROW EXECUTE FUNCTION padu.accounts_end_sessions();
