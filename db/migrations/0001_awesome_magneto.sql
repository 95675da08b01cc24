ALTER TABLE "claims" ALTER COLUMN "value" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "hypothesis" text DEFAULT 'value' NOT NULL;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "margin" double precision;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "statement" text;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "derived_from" jsonb;