import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Administrative units' boundaries (GeoJSON, WGS84), for maps. */
export class Boundaries1764400000000 implements MigrationInterface {
  name = 'Boundaries1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "administrative_unit" ADD "boundary" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "administrative_unit" DROP COLUMN "boundary"`);
  }
}
