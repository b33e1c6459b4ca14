import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 2025 reorganisation's successions: for each name of a new commune's official "before"
 * text, the old unit it names (proposed, open for a person, or confirmed by one).
 */
export class Successions1764700000000 implements MigrationInterface {
  name = 'Successions1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "unit_succession" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "effective_on" date NOT NULL, "new_unit_id" uuid NOT NULL, "item_index" integer NOT NULL, "item_text" character varying(500) NOT NULL, "old_unit_id" uuid, "candidates" uuid array NOT NULL DEFAULT '{}', "status" character varying(10) NOT NULL, "share" character varying(5) NOT NULL DEFAULT 'whole', "how" character varying(200) NOT NULL, "confirmed_by" character varying(200), "confirmed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_unit_succession_resolved" CHECK ("status" = 'open' OR "old_unit_id" IS NOT NULL), CONSTRAINT "ck_unit_succession_share" CHECK ("share" IN ('whole', 'part')), CONSTRAINT "ck_unit_succession_status" CHECK ("status" IN ('proposed', 'open', 'confirmed')), CONSTRAINT "PK_0f8565299b27ed4a6eee7eb27e3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_unit_succession_old" ON "unit_succession"  ("old_unit_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_unit_succession_item" ON "unit_succession"  ("new_unit_id", "item_index") `);
    await queryRunner.query(`ALTER TABLE "unit_succession" ADD CONSTRAINT "fk_unit_succession_new" FOREIGN KEY ("new_unit_id") REFERENCES "administrative_unit"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "unit_succession" ADD CONSTRAINT "fk_unit_succession_old" FOREIGN KEY ("old_unit_id") REFERENCES "administrative_unit"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "unit_succession"`);
  }
}
