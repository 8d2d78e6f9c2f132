-- padu.refresh_summary() took its start time before waiting for a refresh already running, so
-- its reported duration and as_of counted the wait (19 s reported for a 9 s rebuild at Muba's
-- scale when the background refresher held the lock). The rebuild keeps its body under a new
-- name; refresh_summary() now takes the lock first, then runs the rebuild, whose clock starts
-- once the lock is held. A caller that waited rebuilds again: the refresh it waited for may
-- not have seen the changes this caller knows of.
SET LOCAL ROLE padu_owner;

ALTER FUNCTION padu.refresh_summary() RENAME TO rebuild_summary;
REVOKE EXECUTE ON FUNCTION padu.rebuild_summary() FROM padu_api, padu_admin;

CREATE FUNCTION padu.refresh_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('padu.refresh_summary'));
    RETURN padu.rebuild_summary();
END
$$;

GRANT EXECUTE ON FUNCTION padu.refresh_summary() TO padu_api, padu_admin;
