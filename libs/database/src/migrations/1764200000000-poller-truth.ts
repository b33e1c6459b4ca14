import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A frozen uptime shown as a condition of the device (not a reboot per poll); management addresses
 * that are DNS names (up to 253 characters). `refused` and `unresolved` are states of their own (no
 * check to change: states are the code's vocabulary).
 */
export class PollerTruth1764200000000 implements MigrationInterface {
  name = 'PollerTruth1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device_poll_state" ADD "uptime_frozen_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "device" ALTER COLUMN "management_address" TYPE character varying(253)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device" ALTER COLUMN "management_address" TYPE character varying(45)`);
    await queryRunner.query(`ALTER TABLE "device_poll_state" DROP COLUMN "uptime_frozen_since"`);
  }
}
