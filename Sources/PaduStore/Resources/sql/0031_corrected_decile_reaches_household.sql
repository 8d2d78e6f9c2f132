-- A registry re-import that corrects a household's decile for the same source and date
-- updated registry_entries (ON CONFLICT ... DO UPDATE) but not households.decile: the trigger
-- that keeps the household's current decile ran after INSERT only, so the check's flags and the
-- summary kept the old decile. The same statement-level function now runs after UPDATE too.
SET LOCAL ROLE padu_owner;

CREATE TRIGGER registry_entries_current_corrected AFTER UPDATE ON padu.registry_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.registry_entries_current();
