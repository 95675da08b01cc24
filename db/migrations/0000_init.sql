CREATE TABLE "artifacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"size" bigint NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"bucket" text NOT NULL,
	"key" text NOT NULL,
	"run_id" text,
	"step_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "claims" (
	"id" text PRIMARY KEY NOT NULL,
	"paper_id" text NOT NULL,
	"task" text,
	"dataset" text,
	"model" text,
	"setting" text,
	"metric" text NOT NULL,
	"unit" text,
	"value" double precision NOT NULL,
	"higher_is_better" boolean,
	"kind" text NOT NULL,
	"baseline" text,
	"source" text,
	"confidence" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"sha256" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"format" text NOT NULL,
	"source" text NOT NULL,
	"train_count" integer NOT NULL,
	"test_count" integer NOT NULL,
	"shape" jsonb NOT NULL,
	"classes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metrics" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"step_id" integer,
	"name" text NOT NULL,
	"value" double precision NOT NULL,
	"index" integer,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "papers" (
	"id" text PRIMARY KEY NOT NULL,
	"short" text NOT NULL,
	"title" text
);
--> statement-breakpoint
CREATE TABLE "recipes" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"document" jsonb NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_environments" (
	"run_id" text PRIMARY KEY NOT NULL,
	"code_version" text NOT NULL,
	"lockfile_hash" text NOT NULL,
	"node_version" text NOT NULL,
	"tensor_backend" text NOT NULL,
	"seed" integer NOT NULL,
	"host" text NOT NULL,
	"platform" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"recipe_id" integer NOT NULL,
	"workflow_id" text NOT NULL,
	"seed" integer NOT NULL,
	"force" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"scale" text NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "steps" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"step_key" text NOT NULL,
	"kind" text NOT NULL,
	"queue" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"fingerprint" text,
	"cache_hit" boolean DEFAULT false NOT NULL,
	"cached_from_step_id" integer,
	"progress" jsonb,
	"outputs" jsonb,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_step_id_steps_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."steps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_paper_id_papers_id_fk" FOREIGN KEY ("paper_id") REFERENCES "public"."papers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics" ADD CONSTRAINT "metrics_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics" ADD CONSTRAINT "metrics_step_id_steps_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."steps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_environments" ADD CONSTRAINT "run_environments_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_recipe_id_recipes_id_fk" FOREIGN KEY ("recipe_id") REFERENCES "public"."recipes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "artifacts_sha_idx" ON "artifacts" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "artifacts_step_idx" ON "artifacts" USING btree ("step_id");--> statement-breakpoint
CREATE INDEX "claims_paper_idx" ON "claims" USING btree ("paper_id");--> statement-breakpoint
CREATE INDEX "metrics_run_name_idx" ON "metrics" USING btree ("run_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "recipes_name_version_idx" ON "recipes" USING btree ("name","version");--> statement-breakpoint
CREATE UNIQUE INDEX "recipes_hash_idx" ON "recipes" USING btree ("content_hash");--> statement-breakpoint
CREATE INDEX "runs_created_idx" ON "runs" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "steps_run_key_idx" ON "steps" USING btree ("run_id","step_key");--> statement-breakpoint
CREATE INDEX "steps_fingerprint_idx" ON "steps" USING btree ("fingerprint");