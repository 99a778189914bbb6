-- GP letters are the Trust's correspondence: only the owning Trust sees them.
ALTER TABLE gp_letters ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE gp_letters FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY gp_letters_scope ON gp_letters USING (trust_id = app_org()) WITH CHECK (trust_id = app_org());
