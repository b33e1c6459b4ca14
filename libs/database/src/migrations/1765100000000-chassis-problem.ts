import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why the poller could not fill a device's serial, model or manufacturer from what the device says
 * of itself (a serial another device has, an ENTITY-MIB that cannot be read), kept with its latest
 * poll so the device's page says so: it was only a log line.
 */
export class ChassisProblem1765100000000 implements MigrationInterface {
  name = 'ChassisProblem1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device_poll_state" ADD "chassis_problem" character varying(1000)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device_poll_state" DROP COLUMN "chassis_problem"`);
  }
}
