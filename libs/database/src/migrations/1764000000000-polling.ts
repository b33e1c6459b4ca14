import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Polling: SNMP profiles, the latest poll per device, the outage ledger, monitoring spans, poller runs, maintenance windows. */
export class Polling1764000000000 implements MigrationInterface {
  name = 'Polling1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "snmp_profile" ("device_id" uuid NOT NULL, "version" character varying(2) NOT NULL, "community_secret" text, "v3_user" character varying(100), "auth_protocol" character varying(10), "auth_key_secret" text, "priv_protocol" character varying(10), "priv_key_secret" text, "port" integer NOT NULL DEFAULT '161', "timeout_ms" integer NOT NULL DEFAULT '2000', "retries" integer NOT NULL DEFAULT '1', "interval_seconds" integer NOT NULL DEFAULT '300', "enabled" boolean NOT NULL DEFAULT true, "poller_group" character varying(100) NOT NULL DEFAULT 'default', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_snmp_profile_numbers" CHECK ("port" BETWEEN 1 AND 65535 AND "timeout_ms" BETWEEN 100 AND 60000 AND "retries" BETWEEN 0 AND 10 AND "interval_seconds" BETWEEN 1 AND 86400), CONSTRAINT "ck_snmp_profile_priv" CHECK (("priv_protocol" IS NULL) = ("priv_key_secret" IS NULL)), CONSTRAINT "ck_snmp_profile_credentials" CHECK (("version" = '2c' AND "community_secret" IS NOT NULL) OR ("version" = '3' AND "v3_user" IS NOT NULL AND "auth_protocol" IS NOT NULL AND "auth_key_secret" IS NOT NULL)), CONSTRAINT "ck_snmp_profile_version" CHECK ("version" IN ('2c', '3')), CONSTRAINT "PK_059d0d573379348bc4d6c59d39a" PRIMARY KEY ("device_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_snmp_profile_group" ON "snmp_profile"  ("poller_group") `);
    await queryRunner.query(`CREATE TABLE "device_poll_state" ("device_id" uuid NOT NULL, "state" character varying(10) NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL, "polled_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_answer_at" TIMESTAMP WITH TIME ZONE, "uptime_source" character varying(20), "uptime_ticks" bigint, "booted_at" TIMESTAMP WITH TIME ZONE, "engine_boots" integer, "sys_name" character varying(255), "sys_descr" text, "sys_object_id" character varying(255), "interfaces" jsonb NOT NULL, "last_failure" character varying(20), "last_failure_message" text, CONSTRAINT "PK_86ebaae955a41b9fd9f44cf10e2" PRIMARY KEY ("device_id"))`);
    await queryRunner.query(`CREATE TABLE "outage" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_id" uuid NOT NULL, "cause" character varying(20) NOT NULL, "if_index" integer, "wan_link_id" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "detail" text, CONSTRAINT "ck_outage_interval" CHECK ("ended_at" IS NULL OR "ended_at" >= "started_at"), CONSTRAINT "ck_outage_cause" CHECK ("cause" IN ('unreachable', 'rebooted', 'interface_down')), CONSTRAINT "PK_4b537b6fa0093fba4fb32df2542" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_outage_device_started" ON "outage"  ("device_id", "started_at") `);
    await queryRunner.query(`CREATE TABLE "device_monitoring" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_id" uuid NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_35da67b7c523c2136d1691d2c87" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_device_monitoring_device" ON "device_monitoring"  ("device_id", "started_at") `);
    await queryRunner.query(`CREATE TABLE "poller_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "poller_group" character varying(100) NOT NULL, "host" character varying(255) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_beat_at" TIMESTAMP WITH TIME ZONE NOT NULL, "stopped_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_e901c1c89f55f3dccf40fcca297" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_poller_run_group" ON "poller_run"  ("poller_group", "started_at") `);
    await queryRunner.query(`CREATE TABLE "maintenance_window" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_id" uuid, "agency_id" uuid, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "reason" character varying(500) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_maintenance_window_interval" CHECK ("ends_at" > "starts_at"), CONSTRAINT "ck_maintenance_window_scope" CHECK (("device_id" IS NULL) <> ("agency_id" IS NULL)), CONSTRAINT "PK_6a15b826ce736e584a0d0e0bdd4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_maintenance_window_agency" ON "maintenance_window"  ("agency_id") `);
    await queryRunner.query(`CREATE INDEX "ix_maintenance_window_device" ON "maintenance_window"  ("device_id") `);
    await queryRunner.query(`ALTER TABLE "snmp_profile" ADD CONSTRAINT "fk_snmp_profile_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "device_poll_state" ADD CONSTRAINT "fk_device_poll_state_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "outage" ADD CONSTRAINT "fk_outage_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "outage" ADD CONSTRAINT "fk_outage_wan_link" FOREIGN KEY ("wan_link_id") REFERENCES "wan_link"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "device_monitoring" ADD CONSTRAINT "fk_device_monitoring_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "maintenance_window" ADD CONSTRAINT "fk_maintenance_window_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "maintenance_window" ADD CONSTRAINT "fk_maintenance_window_agency" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    // One open outage per device, cause and interface (NULL interfaces are equal here).
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_outage_open" ON "outage" ("device_id", "cause", "if_index") NULLS NOT DISTINCT WHERE "ended_at" IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "maintenance_window"`);
    await queryRunner.query(`DROP TABLE "poller_run"`);
    await queryRunner.query(`DROP TABLE "device_monitoring"`);
    await queryRunner.query(`DROP TABLE "outage"`);
    await queryRunner.query(`DROP TABLE "device_poll_state"`);
    await queryRunner.query(`DROP TABLE "snmp_profile"`);
  }
}
