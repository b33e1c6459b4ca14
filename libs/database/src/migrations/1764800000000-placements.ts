import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where equipment sits becomes a history: the current place on the row with the day it came there
 * (placed_on), the place before it on the row too (previous_agency_id, from previous_from), older
 * ones in equipment_placement. Agencies get the days they began and ended (an
 * old commune's committee ends with its commune) and the unit they were in before the one they are
 * in (a school carried into its new commune), and a code names one current agency. Each
 * application of the reorganisation to the inventory is a reorganisation_run, so it can be undone.
 */
export class Placements1764800000000 implements MigrationInterface {
  name = 'Placements1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "equipment_placement" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "entity_type" character varying(10) NOT NULL, "entity_id" uuid NOT NULL, "agency_id" uuid NOT NULL, "staff_position" character varying(200), "valid_from" date, "valid_to" date NOT NULL, "run_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_equipment_placement_dates" CHECK ("valid_from" IS NULL OR "valid_to" > "valid_from"), CONSTRAINT "ck_equipment_placement_entity" CHECK ("entity_type" IN ('device', 'lan', 'wan_link')), CONSTRAINT "PK_20b7ffa89dcdf0def2e9b99229e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_equipment_placement_run" ON "equipment_placement"  ("run_id") `);
    await queryRunner.query(`CREATE INDEX "ix_equipment_placement_entity" ON "equipment_placement"  ("entity_type", "entity_id", "valid_to") `);
    await queryRunner.query(`CREATE INDEX "ix_equipment_placement_agency" ON "equipment_placement"  ("entity_type", "agency_id", "valid_to") `);
    await queryRunner.query(`CREATE TABLE "reorganisation_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "effective_on" date NOT NULL, "province_codes" character varying(10) array NOT NULL, "summary" jsonb NOT NULL, "ended_agencies" uuid array NOT NULL DEFAULT '{}', "created_agencies" uuid array NOT NULL DEFAULT '{}', "carried_agencies" uuid array NOT NULL DEFAULT '{}', "applied_by" character varying(200) NOT NULL, "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "reverted_by" character varying(200), "reverted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_3f5a16fd75b684f11eaa7012925" PRIMARY KEY ("id"))`);
    await queryRunner.query(`ALTER TABLE "agency" ADD "valid_from" date`);
    await queryRunner.query(`ALTER TABLE "agency" ADD "valid_to" date`);
    await queryRunner.query(`ALTER TABLE "agency" ADD "previous_unit_id" uuid`);
    await queryRunner.query(`ALTER TABLE "agency" ADD "unit_since" date`);
    await queryRunner.query(`CREATE INDEX "ix_agency_previous_unit" ON "agency"  ("previous_unit_id") WHERE "previous_unit_id" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "agency" ADD CONSTRAINT "fk_agency_previous_unit" FOREIGN KEY ("previous_unit_id") REFERENCES "administrative_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "lan" ADD "placed_on" date`);
    await queryRunner.query(`ALTER TABLE "device" ADD "placed_on" date`);
    await queryRunner.query(`ALTER TABLE "wan_link" ADD "placed_on" date`);
    await queryRunner.query(`ALTER TABLE "lan" ADD "previous_agency_id" uuid`);
    await queryRunner.query(`ALTER TABLE "lan" ADD "previous_from" date`);
    await queryRunner.query(`ALTER TABLE "lan" ADD "previous_run_id" uuid`);
    await queryRunner.query(`ALTER TABLE "device" ADD "previous_agency_id" uuid`);
    await queryRunner.query(`ALTER TABLE "device" ADD "previous_from" date`);
    await queryRunner.query(`ALTER TABLE "device" ADD "previous_run_id" uuid`);
    await queryRunner.query(`ALTER TABLE "device" ADD "previous_staff_position" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "wan_link" ADD "previous_agency_id" uuid`);
    await queryRunner.query(`ALTER TABLE "wan_link" ADD "previous_from" date`);
    await queryRunner.query(`ALTER TABLE "wan_link" ADD "previous_run_id" uuid`);
    await queryRunner.query(`CREATE INDEX "ix_lan_previous_agency" ON "lan"  ("previous_agency_id") WHERE "previous_agency_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_device_previous_agency" ON "device"  ("previous_agency_id", "kind") WHERE "previous_agency_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_wan_link_previous_agency" ON "wan_link"  ("previous_agency_id") WHERE "previous_agency_id" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "agency" ADD CONSTRAINT "ck_agency_validity" CHECK ("valid_to" IS NULL OR "valid_from" IS NULL OR "valid_to" > "valid_from")`);
    await queryRunner.query(`ALTER TABLE "equipment_placement" ADD CONSTRAINT "fk_equipment_placement_agency" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`DROP INDEX "uq_agency_code"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agency_code" ON "agency" ("code") WHERE "valid_to" IS NULL`);
    // Coverage kept in memory is stale when a placement changes, as when equipment does.
    await queryRunner.query(
      `CREATE CONSTRAINT TRIGGER "equipment_placement_inventory_version" AFTER INSERT OR UPDATE OR DELETE ON "equipment_placement" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "hatang_bump_inventory_version"()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_agency_code"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agency_code" ON "agency" ("code")`);
    await queryRunner.query(`ALTER TABLE "agency" DROP CONSTRAINT "ck_agency_validity"`);
    for (const t of ['device', 'lan', 'wan_link']) {
      await queryRunner.query(`DROP INDEX "ix_${t}_previous_agency"`);
      await queryRunner.query(`ALTER TABLE "${t}" DROP COLUMN "previous_run_id"`);
      await queryRunner.query(`ALTER TABLE "${t}" DROP COLUMN "previous_from"`);
      await queryRunner.query(`ALTER TABLE "${t}" DROP COLUMN "previous_agency_id"`);
    }
    await queryRunner.query(`ALTER TABLE "device" DROP COLUMN "previous_staff_position"`);
    await queryRunner.query(`ALTER TABLE "wan_link" DROP COLUMN "placed_on"`);
    await queryRunner.query(`ALTER TABLE "device" DROP COLUMN "placed_on"`);
    await queryRunner.query(`ALTER TABLE "lan" DROP COLUMN "placed_on"`);
    await queryRunner.query(`ALTER TABLE "agency" DROP CONSTRAINT "fk_agency_previous_unit"`);
    await queryRunner.query(`DROP INDEX "ix_agency_previous_unit"`);
    await queryRunner.query(`ALTER TABLE "agency" DROP COLUMN "unit_since"`);
    await queryRunner.query(`ALTER TABLE "agency" DROP COLUMN "previous_unit_id"`);
    await queryRunner.query(`ALTER TABLE "agency" DROP COLUMN "valid_to"`);
    await queryRunner.query(`ALTER TABLE "agency" DROP COLUMN "valid_from"`);
    await queryRunner.query(`DROP TABLE "reorganisation_run"`);
    await queryRunner.query(`DROP TABLE "equipment_placement"`);
  }
}
