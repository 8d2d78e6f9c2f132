-- What a programme's aid is for (v1.1). The coordination check compares categories, not the
-- form of the aid: a house renovation and toddler food are both "in kind" but never the same
-- aid. Existing programmes start as 'other' until their agency says what they are.
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.programs
    ADD COLUMN aid_category text NOT NULL DEFAULT 'other'
        CHECK (aid_category IN ('housing', 'food', 'health', 'education', 'business', 'livestock',
                                'cash_transfer', 'insurance', 'social_service', 'other'));
COMMENT ON COLUMN padu.programs.aid_category IS
    'What the aid is for; the check''s SAME_CATEGORY_* flags compare it across agencies.';

GRANT INSERT (aid_category), UPDATE (aid_category) ON padu.programs TO padu_agency, padu_coordinator;

-- Analysts see the category too (a new column goes last so the view can be replaced in place).
CREATE OR REPLACE VIEW analytics.programs AS
SELECT p.id AS program_id, p.agency_id, a.code AS agency_code, p.code, p.name, p.cluster_id, p.aid_kind,
       p.target, p.unit, p.requires_coordination, p.aid_category
  FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id;
