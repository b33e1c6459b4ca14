import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['administrative_unit', 'agency', 'agency_staffing', 'device', 'lan', 'wan_link'];

/**
 * A version of the inventory that every committed write moves on, so counts kept in memory know
 * when they are stale. A deferred trigger bumps it once per writing transaction, at commit: the
 * row is locked only while the transaction commits (not for an import's whole length), and a
 * reader that sees the new version also sees the write (they commit together). Raw SQL writes
 * (the benchmarks' generators, an administrator's psql) move it too.
 */
export class InventoryVersion1764500000000 implements MigrationInterface {
  name = 'InventoryVersion1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "inventory_version" ("id" smallint PRIMARY KEY CHECK ("id" = 1), "n" bigint NOT NULL)`);
    await queryRunner.query(`INSERT INTO "inventory_version" ("id", "n") VALUES (1, 0)`);
    await queryRunner.query(`CREATE FUNCTION "hatang_bump_inventory_version"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Once per transaction: the first row's trigger bumps, the others see the mark and return.
        IF current_setting('hatang.inventory_bumped', true) IS DISTINCT FROM txid_current()::text THEN
          PERFORM set_config('hatang.inventory_bumped', txid_current()::text, true);
          UPDATE "inventory_version" SET "n" = "n" + 1 WHERE "id" = 1;
        END IF;
        RETURN NULL;
      END $$`);
    for (const t of TABLES) {
      await queryRunner.query(
        `CREATE CONSTRAINT TRIGGER "${t}_inventory_version" AFTER INSERT OR UPDATE OR DELETE ON "${t}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "hatang_bump_inventory_version"()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const t of TABLES) await queryRunner.query(`DROP TRIGGER "${t}_inventory_version" ON "${t}"`);
    await queryRunner.query(`DROP FUNCTION "hatang_bump_inventory_version"()`);
    await queryRunner.query(`DROP TABLE "inventory_version"`);
  }
}
