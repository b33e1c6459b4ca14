import type { MigrationInterface, QueryRunner } from 'typeorm';

/** People who sign in to the console (scrypt-hashed passwords), and their sessions (hashed ids). */
export class Accounts1764300000000 implements MigrationInterface {
  name = 'Accounts1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "user_account" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "display_name" character varying(200) NOT NULL, "password_hash" character varying(200) NOT NULL, "role" character varying(20) NOT NULL, "administrative_unit_id" uuid, "agency_id" uuid, "disabled_at" TIMESTAMP WITH TIME ZONE, "last_sign_in_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_user_account_scope" CHECK ("administrative_unit_id" IS NULL OR "agency_id" IS NULL), CONSTRAINT "ck_user_account_role" CHECK ("role" IN ('admin', 'network_admin', 'planner', 'viewer', 'poller')), CONSTRAINT "PK_6acfec7285fdf9f463462de3e9f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_account_username" ON "user_account"  ("username") `);
    await queryRunner.query(`CREATE TABLE "user_session" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "id_hash" character(64) NOT NULL, "user_id" uuid NOT NULL, "csrf_token" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_adf3b49590842ac3cf54cac451a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_user_session_user" ON "user_session"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_session_id_hash" ON "user_session"  ("id_hash") `);
    await queryRunner.query(`ALTER TABLE "user_account" ADD CONSTRAINT "fk_user_account_administrative_unit" FOREIGN KEY ("administrative_unit_id") REFERENCES "administrative_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "user_account" ADD CONSTRAINT "fk_user_account_agency" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "user_session" ADD CONSTRAINT "fk_user_session_user" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_session"`);
    await queryRunner.query(`DROP TABLE "user_account"`);
  }
}
