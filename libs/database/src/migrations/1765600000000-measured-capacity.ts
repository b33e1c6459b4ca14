import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coverage can judge a link's bandwidth on the capacity its interface measures: a change in a
 * device's interface list (a speed, a name, an interface gone) moves the inventory's version, so
 * coverage figures kept in memory are computed again.
 */
export class MeasuredCapacity1765600000000 implements MigrationInterface {
  name = 'MeasuredCapacity1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE CONSTRAINT TRIGGER "device_interface_inventory_version" AFTER INSERT OR DELETE OR UPDATE OF "speed_mbps", "name", "if_index", "gone_at" ON "device_interface"
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "hatang_bump_inventory_version"()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "device_interface_inventory_version" ON "device_interface"`);
  }
}
