import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Coverage: indicators, reported values, plans and their targets, frozen reports. */
export class Coverage1763900000000 implements MigrationInterface {
  name = 'Coverage1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "indicator" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(80) NOT NULL, "label_vi" text NOT NULL, "label_en" text NOT NULL, "definition" jsonb NOT NULL, "builtin" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4693fe4c2cb912a71e05c589e7e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_indicator_code" ON "indicator"  ("code") `);
    await queryRunner.query(`CREATE TABLE "plan_target" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "plan_id" uuid NOT NULL, "indicator_id" uuid NOT NULL, "year" smallint NOT NULL, "value" numeric(6,2) NOT NULL, "row" character varying(20), "wording_vi" text NOT NULL, "label_en" text NOT NULL, CONSTRAINT "ck_plan_target_percent" CHECK ("value" >= 0 AND "value" <= 100), CONSTRAINT "PK_96774c6cff4f084f665ca902616" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_plan_target_indicator" ON "plan_target"  ("indicator_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_plan_target" ON "plan_target"  ("plan_id", "indicator_id", "year") `);
    await queryRunner.query(`CREATE TABLE "plan" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "administrative_unit_id" uuid NOT NULL, "title_vi" text NOT NULL, "title_en" text, "document_number" character varying(60), "document_date" date, "period_from" smallint NOT NULL, "period_to" smallint NOT NULL, "preset" character varying(60), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_plan_period" CHECK ("period_to" >= "period_from"), CONSTRAINT "PK_54a2b686aed3b637654bf7ddbb3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_plan_unit" ON "plan"  ("administrative_unit_id") `);
    await queryRunner.query(`CREATE TABLE "coverage_report" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "plan_id" uuid, "title" text, "created_by" character varying(200) NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "figures" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_579265996afdc43d3d2320d76bb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_coverage_report_plan" ON "coverage_report"  ("plan_id") `);
    await queryRunner.query(`CREATE TABLE "reported_value" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "indicator_id" uuid NOT NULL, "administrative_unit_id" uuid NOT NULL, "year" smallint NOT NULL, "value" numeric(6,2) NOT NULL, "source" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_reported_value_percent" CHECK ("value" >= 0 AND "value" <= 100), CONSTRAINT "PK_206d7de4c4ba971754daa9a1548" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_reported_value" ON "reported_value"  ("indicator_id", "administrative_unit_id", "year") `);
    await queryRunner.query(`ALTER TABLE "plan_target" ADD CONSTRAINT "fk_plan_target_plan" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "plan_target" ADD CONSTRAINT "fk_plan_target_indicator" FOREIGN KEY ("indicator_id") REFERENCES "indicator"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "plan" ADD CONSTRAINT "fk_plan_unit" FOREIGN KEY ("administrative_unit_id") REFERENCES "administrative_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "coverage_report" ADD CONSTRAINT "fk_coverage_report_plan" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "reported_value" ADD CONSTRAINT "fk_reported_value_indicator" FOREIGN KEY ("indicator_id") REFERENCES "indicator"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "reported_value" ADD CONSTRAINT "fk_reported_value_unit" FOREIGN KEY ("administrative_unit_id") REFERENCES "administrative_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // A saved report is a snapshot: refuse to change its figures once written.
    await queryRunner.query(`CREATE FUNCTION hatang_report_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'coverage reports are immutable' USING ERRCODE = 'check_violation'; END $$`);
    await queryRunner.query(`CREATE TRIGGER coverage_report_frozen BEFORE UPDATE ON "coverage_report" FOR EACH ROW EXECUTE FUNCTION hatang_report_is_frozen()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER coverage_report_frozen ON "coverage_report"`);
    await queryRunner.query(`DROP FUNCTION hatang_report_is_frozen()`);
    await queryRunner.query(`DROP TABLE "reported_value"`);
    await queryRunner.query(`DROP TABLE "coverage_report"`);
    await queryRunner.query(`DROP TABLE "plan_target"`);
    await queryRunner.query(`DROP TABLE "plan"`);
    await queryRunner.query(`DROP TABLE "indicator"`);
  }
}
