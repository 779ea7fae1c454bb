-- Cost Explorer bills every request: the ledger counts them per slice (the collector's own requests) and per
-- run (the organization-wide requests orchestrate makes once in organization mode).
ALTER TABLE run_categories ADD COLUMN cost_explorer_calls integer NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN cost_explorer_calls integer NOT NULL DEFAULT 0;
