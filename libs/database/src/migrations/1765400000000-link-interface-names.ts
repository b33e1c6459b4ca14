import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A WAN link names its interface as admins do (ifName); its ifIndex is the device's number for it
 * today. Links bound by ifIndex take the name the device lists there, where it has been listed.
 */
export class LinkInterfaceNames1765400000000 implements MigrationInterface {
  name = 'LinkInterfaceNames1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "wan_link" ADD "interface_name" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "wan_link" ADD CONSTRAINT "ck_wan_link_interface_name" CHECK ("interface_name" IS NULL OR "device_id" IS NOT NULL)`);
    await queryRunner.query(
      `UPDATE wan_link l SET interface_name = i.name FROM device_interface i WHERE i.device_id = l.device_id AND i.if_index = l.if_index AND i.gone_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "wan_link" DROP CONSTRAINT "ck_wan_link_interface_name"`);
    await queryRunner.query(`ALTER TABLE "wan_link" DROP COLUMN "interface_name"`);
  }
}
