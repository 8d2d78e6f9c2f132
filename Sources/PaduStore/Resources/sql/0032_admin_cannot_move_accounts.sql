-- An admin could move an account to another agency (UPDATE accounts.agency_id), handing the
-- person behind it that agency's recipients. The API never offered it ("create another
-- account"); now the database refuses it too. An account keeps its agency for its life.
SET LOCAL ROLE padu_owner;

REVOKE UPDATE (agency_id) ON padu.accounts FROM padu_admin;
