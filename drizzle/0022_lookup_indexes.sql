CREATE INDEX "administrations_cycle_idx" ON "administrations" USING btree ("cycle_id");--> statement-breakpoint
CREATE INDEX "administrations_visit_idx" ON "administrations" USING btree ("visit_id");--> statement-breakpoint
CREATE INDEX "prescriptions_course_idx" ON "prescriptions" USING btree ("course_id");--> statement-breakpoint
CREATE INDEX "visits_patient_idx" ON "visits" USING btree ("patient_id");--> statement-breakpoint
CREATE INDEX "visits_cycle_idx" ON "visits" USING btree ("cycle_id");