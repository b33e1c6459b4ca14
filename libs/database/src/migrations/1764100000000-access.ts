import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Access control: API tokens (hashed), the token and place of each audit entry, the area of each saved report, the province of an indicator. */
export class Access1764100000000 implements MigrationInterface {
  name = 'Access1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner" character varying(200) NOT NULL, "role" character varying(20) NOT NULL, "administrative_unit_id" uuid, "agency_id" uuid, "secret_hash" character(64) NOT NULL, "prefix" character varying(12) NOT NULL, "allowed_addresses" text array, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(200) NOT NULL, "note" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_api_token_scope" CHECK ("administrative_unit_id" IS NULL OR "agency_id" IS NULL), CONSTRAINT "ck_api_token_role" CHECK ("role" IN ('admin', 'network_admin', 'planner', 'viewer', 'poller')), CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_token_secret_hash" ON "api_token"  ("secret_hash") `);
    await queryRunner.query(`ALTER TABLE "api_token" ADD CONSTRAINT "fk_api_token_administrative_unit" FOREIGN KEY ("administrative_unit_id") REFERENCES "administrative_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD CONSTRAINT "fk_api_token_agency" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "audit_entry" ADD "token_id" uuid`);
    await queryRunner.query(`ALTER TABLE "audit_entry" ADD "place" text`);
    await queryRunner.query(`CREATE INDEX "ix_audit_entry_place" ON "audit_entry" ("place" text_pattern_ops)`);
    // Reports saved before scopes were counted over their plan's province.
    await queryRunner.query(`ALTER TABLE "coverage_report" ADD "area_path" text`);
    await queryRunner.query(`ALTER TABLE "coverage_report" DISABLE TRIGGER coverage_report_frozen`);
    await queryRunner.query(`UPDATE "coverage_report" r SET "area_path" = COALESCE((SELECT u.path FROM administrative_unit u WHERE u.id::text = r.figures->'plan'->'province'->>'id'), '/')`);
    await queryRunner.query(`ALTER TABLE "coverage_report" ENABLE TRIGGER coverage_report_frozen`);
    await queryRunner.query(`ALTER TABLE "coverage_report" ALTER COLUMN "area_path" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "indicator" ADD "administrative_unit_id" uuid`);
    await queryRunner.query(`CREATE INDEX "ix_indicator_administrative_unit" ON "indicator"  ("administrative_unit_id") `);
    await queryRunner.query(`ALTER TABLE "indicator" ADD CONSTRAINT "fk_indicator_administrative_unit" FOREIGN KEY ("administrative_unit_id") REFERENCES "administrative_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "indicator" DROP CONSTRAINT "fk_indicator_administrative_unit"`);
    await queryRunner.query(`DROP INDEX "ix_indicator_administrative_unit"`);
    await queryRunner.query(`ALTER TABLE "indicator" DROP COLUMN "administrative_unit_id"`);
    await queryRunner.query(`ALTER TABLE "coverage_report" DROP COLUMN "area_path"`);
    await queryRunner.query(`DROP INDEX "ix_audit_entry_place"`);
    await queryRunner.query(`ALTER TABLE "audit_entry" DROP COLUMN "place"`);
    await queryRunner.query(`ALTER TABLE "audit_entry" DROP COLUMN "token_id"`);
    await queryRunner.query(`DROP TABLE "api_token"`);
  }
}
