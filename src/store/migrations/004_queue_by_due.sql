-- A department's work queue, soonest due first (GET /api/v1/cases?sort=due).
CREATE INDEX cases_department_due ON cases(department_id, resolution_due, id);
