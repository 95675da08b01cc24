ALTER TABLE "steps" ADD COLUMN "inputs" jsonb;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "ready_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "scheduled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "picked_up_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "queued_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "retries" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "worker_host" text;