-- Since 0013 a refresh that waited for another rebuilds again once it gets the lock. That is
-- right for an admin's explicit refresh, not for the background refresher: it compared the
-- signature before waiting, so behind an admin's refresh it waited ~9 s at Muba's scale and
-- then rebuilt ~9 s more, on a pooled connection. It now skips when a refresh is running, and
-- compares the signature once it holds the lock; the next tick looks again.
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE FUNCTION padu.refresh_summary_if_changed() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('padu.refresh_summary')) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM padu.summary_state WHERE as_of IS NOT NULL AND signature = padu.summary_signature()) THEN
        RETURN NULL;
    END IF;
    RETURN padu.rebuild_summary();
END
$$;
