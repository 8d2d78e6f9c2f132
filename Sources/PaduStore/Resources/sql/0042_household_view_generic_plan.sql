-- The household view's statement is planned once per connection, not per call. PL/pgSQL chose
-- custom plans (replanning its statement with each KK) and planning cost more than running: at
-- 20,000 households and 100,000 deliveries under load, 1,000 views took 7.7-17 s with custom
-- plans and 2.3-3.8 s with the generic plan (scripts/bench-household), whose lookups stay index
-- scans on the household, its KK and its members.
SET LOCAL ROLE padu_owner;

ALTER FUNCTION padu.household_view(text, int, int) SET plan_cache_mode = force_generic_plan;
