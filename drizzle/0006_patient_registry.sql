ALTER TABLE "patients" ADD COLUMN "sex" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "address_line1" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "address_line2" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "town" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "phone" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "gp_practice_code" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "gp_practice_name" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "ethnic_category" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "imd_decile" integer;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "diagnosis_code" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "consultant" text;