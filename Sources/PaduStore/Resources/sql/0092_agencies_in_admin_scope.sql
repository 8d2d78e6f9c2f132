-- A province in one deployment: an admin adds and changes agencies only within its own scope.
-- Agencies had no row-level security: the admin of one regency could add an agency to another
-- regency (or move one there), and an agency in a regency is what puts that regency in the
-- deployment (0090, padu.in_deployment). Everyone still reads every agency (reference data).
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.agencies ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON padu.agencies FOR SELECT USING (true);
-- A region that does not exist passes here so that its foreign key answers (422, as before).
CREATE POLICY admin_scope_insert ON padu.agencies FOR INSERT TO padu_admin
    WITH CHECK (padu.in_scope(region_code, (SELECT padu.current_scope()))
                OR NOT EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = region_code));
CREATE POLICY admin_scope_update ON padu.agencies FOR UPDATE TO padu_admin
    USING (padu.in_scope(region_code, (SELECT padu.current_scope())))
    WITH CHECK (padu.in_scope(region_code, (SELECT padu.current_scope()))
                OR NOT EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = region_code));
