CREATE TABLE "claim_judgements" (
	"run_id" text NOT NULL,
	"claim_id" text NOT NULL,
	"judge_version" text NOT NULL,
	"verdict" text NOT NULL,
	"verdict_rank" smallint NOT NULL,
	"label" text NOT NULL,
	"statement" text,
	"fidelity" text NOT NULL,
	"fidelity_rank" smallint NOT NULL,
	"scale" text NOT NULL,
	"recipe" text NOT NULL,
	"reproduced" double precision,
	"interval_low" double precision,
	"interval_high" double precision,
	"test" text,
	"hypothesis" text,
	"seeds" integer,
	"run_created_at" timestamp with time zone NOT NULL,
	"judged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "claim_judgements_run_id_claim_id_pk" PRIMARY KEY("run_id","claim_id")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "judged_version" text;--> statement-breakpoint
ALTER TABLE "claim_judgements" ADD CONSTRAINT "claim_judgements_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "claim_judgements_best_idx" ON "claim_judgements" USING btree ("claim_id","judge_version","verdict_rank" DESC NULLS LAST,"fidelity_rank" DESC NULLS LAST,"run_created_at" DESC NULLS LAST,"run_id" DESC NULLS LAST);