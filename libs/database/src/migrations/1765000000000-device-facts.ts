import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a device says of itself beyond its name: sysLocation and sysContact, kept with its latest
 * poll, and searched (folded, trigram-indexed) by the device list's `q` as its own fields are.
 */
export class DeviceFacts1765000000000 implements MigrationInterface {
  name = 'DeviceFacts1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device_poll_state" ADD "sys_location" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "device_poll_state" ADD "sys_contact" character varying(255)`);
    await queryRunner.query(
      `CREATE INDEX "ix_device_poll_state_facts_trgm" ON "device_poll_state" USING gin (hatang_fold(coalesce("sys_location", '') || ' ' || coalesce("sys_contact", '')) gin_trgm_ops)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_device_poll_state_facts_trgm"`);
    await queryRunner.query(`ALTER TABLE "device_poll_state" DROP COLUMN "sys_contact"`);
    await queryRunner.query(`ALTER TABLE "device_poll_state" DROP COLUMN "sys_location"`);
  }
}
