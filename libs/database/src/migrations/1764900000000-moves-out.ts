import type { MigrationInterface, QueryRunner } from 'typeorm';

const EQUIPMENT = ['device', 'lan', 'wan_link'] as const;

/**
 * Two facts on each agency that spare coverage the lookups that cannot find anything:
 * - last_move_out_on: the last day equipment left it with its history kept (the latest placed_on
 *   of the items whose previous place it is, the latest valid_to of its older places). Its
 *   earlier equipment is looked for only for dates before that day: most agencies never lost an item.
 * - holds_equipment: false when nothing sits at it now (an old commune's committee, once the
 *   reorganisation has moved everything it had): its current equipment is not looked for.
 * Statement-level triggers keep both, whatever writes the equipment, at the cost of one pass over
 * the rows a statement wrote. Both only ever err on the side of looking: last_move_out_on never
 * goes back (a move undone leaves it), holds_equipment is set back to true by any item placed at
 * the agency and only made false when a move leaves it with nothing (a delete leaves it true).
 */
export class MovesOut1764900000000 implements MigrationInterface {
  name = 'MovesOut1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agency" ADD "last_move_out_on" date`);
    await queryRunner.query(`ALTER TABLE "agency" ADD "holds_equipment" boolean NOT NULL DEFAULT true`);
    const holdsNothing = (a: string) => EQUIPMENT.map((t) => `NOT EXISTS (SELECT 1 FROM "${t}" x WHERE x."agency_id" = ${a}."id")`).join(' AND ');
    await queryRunner.query(`CREATE FUNCTION "hatang_equipment_placed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE "agency" a SET "last_move_out_on" = m.on_day
          FROM (SELECT "previous_agency_id" AS id, max(COALESCE("placed_on", 'infinity'::date)) AS on_day FROM new_rows WHERE "previous_agency_id" IS NOT NULL GROUP BY 1) m
         WHERE a."id" = m.id AND (a."last_move_out_on" IS NULL OR a."last_move_out_on" < m.on_day);
        UPDATE "agency" a SET "holds_equipment" = true WHERE NOT a."holds_equipment" AND a."id" IN (SELECT "agency_id" FROM new_rows);
        IF TG_OP = 'UPDATE' THEN
          UPDATE "agency" a SET "holds_equipment" = false
           WHERE a."holds_equipment" AND a."id" IN (SELECT o."agency_id" FROM old_rows o JOIN new_rows n ON n."id" = o."id" WHERE n."agency_id" <> o."agency_id")
             AND ${holdsNothing('a')};
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE FUNCTION "hatang_placement_written"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE "agency" a SET "last_move_out_on" = m.on_day
          FROM (SELECT "agency_id" AS id, max("valid_to") AS on_day FROM new_rows GROUP BY 1) m
         WHERE a."id" = m.id AND (a."last_move_out_on" IS NULL OR a."last_move_out_on" < m.on_day);
        RETURN NULL;
      END $$`);
    for (const t of EQUIPMENT) {
      await queryRunner.query(`CREATE TRIGGER "${t}_placed_insert" AFTER INSERT ON "${t}" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "hatang_equipment_placed"()`);
      await queryRunner.query(
        `CREATE TRIGGER "${t}_placed_update" AFTER UPDATE ON "${t}" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "hatang_equipment_placed"()`,
      );
    }
    await queryRunner.query(`CREATE TRIGGER "equipment_placement_written_insert" AFTER INSERT ON "equipment_placement" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "hatang_placement_written"()`);
    await queryRunner.query(
      `CREATE TRIGGER "equipment_placement_written_update" AFTER UPDATE ON "equipment_placement" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "hatang_placement_written"()`,
    );
    await queryRunner.query(`UPDATE "agency" a SET "last_move_out_on" = m.on_day
      FROM (SELECT agency_id, max(on_day) AS on_day FROM (
              ${EQUIPMENT.map((t) => `SELECT "previous_agency_id" AS agency_id, COALESCE("placed_on", 'infinity'::date) AS on_day FROM "${t}" WHERE "previous_agency_id" IS NOT NULL`).join(' UNION ALL ')}
              UNION ALL SELECT "agency_id", "valid_to" FROM "equipment_placement") x GROUP BY agency_id) m
      WHERE a."id" = m.agency_id`);
    await queryRunner.query(`UPDATE "agency" a SET "holds_equipment" = false WHERE ${holdsNothing('a')}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const op of ['insert', 'update']) await queryRunner.query(`DROP TRIGGER "equipment_placement_written_${op}" ON "equipment_placement"`);
    for (const t of EQUIPMENT) for (const op of ['insert', 'update']) await queryRunner.query(`DROP TRIGGER "${t}_placed_${op}" ON "${t}"`);
    await queryRunner.query(`DROP FUNCTION "hatang_placement_written"()`);
    await queryRunner.query(`DROP FUNCTION "hatang_equipment_placed"()`);
    await queryRunner.query(`ALTER TABLE "agency" DROP COLUMN "holds_equipment"`);
    await queryRunner.query(`ALTER TABLE "agency" DROP COLUMN "last_move_out_on"`);
  }
}
