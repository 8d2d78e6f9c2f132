-- The coordinator reads the progress reports of its clusters' programmes (API v1.1,
-- GET /reports as a coordinator): the meeting asks every agency of the cluster to present its
-- progress, and the coordinator prepares it. Until now a coordinator read only its own agency's
-- reports (own_agency, 0008). Read only: writing stays with the owning agency. The cluster
-- follows clusters.coordinator_agency_id (padu.coordinated_clusters(), 0016), so a
-- coordinator-role account of an agency that coordinates nothing reads no more than before.
SET LOCAL ROLE padu_owner;

CREATE POLICY coordinated_read ON padu.progress_reports FOR SELECT TO padu_coordinator
    USING (EXISTS (SELECT 1 FROM padu.programs p
                    WHERE p.id = progress_reports.program_id
                      AND p.cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[])));
