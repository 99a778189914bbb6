CREATE INDEX "episode_events_at_idx" ON "episode_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "administrations_trust_given_idx" ON "administrations" USING btree ("trust_id","given_on");--> statement-breakpoint
CREATE INDEX "treatment_courses_trust_status_idx" ON "treatment_courses" USING btree ("trust_id","status");