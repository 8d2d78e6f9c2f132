-- An agency reads a registry person or household only once the coordinator approved a line
-- naming them, or the agency delivered to them (API v1.1; issue 10: an agency read a person's
-- name, birth date and address after merely naming the NIK in a draft plan). Before that the
-- registry check verifies (padu.check_recipients, run as owner) without revealing.
SET LOCAL ROLE padu_owner;

ALTER POLICY own_recipients ON padu.persons
    USING (EXISTS (SELECT 1 FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                    WHERE l.person_id = persons.id AND l.status = 'approved' AND p.status = 'approved')
           OR EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.person_id = persons.id));
ALTER POLICY own_recipients ON padu.households
    USING (EXISTS (SELECT 1 FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                    WHERE l.household_id = households.id AND l.status = 'approved' AND p.status = 'approved')
           OR EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.household_id = households.id));
