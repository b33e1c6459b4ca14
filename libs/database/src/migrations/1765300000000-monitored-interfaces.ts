import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Interfaces an admin marks as monitored: polled with the device, their going down an outage. */
export class MonitoredInterfaces1765300000000 implements MigrationInterface {
  name = 'MonitoredInterfaces1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device_interface" ADD "monitored" boolean NOT NULL DEFAULT false`);
    // What the pollers read (and fingerprint) of them: the live monitored ones, by device.
    await queryRunner.query(`CREATE INDEX "ix_device_interface_monitored" ON "device_interface" ("device_id", "if_index") WHERE "monitored" AND "gone_at" IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_device_interface_monitored"`);
    await queryRunner.query(`ALTER TABLE "device_interface" DROP COLUMN "monitored"`);
  }
}
