import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerting: channels, rules, incidents, the delivery outbox with its attempts, and the traps
 * registered devices send. One open incident per rule and subject (a partial unique index), so two
 * evaluators can never open the same incident twice.
 */
export class Alerts1764600000000 implements MigrationInterface {
  name = 'Alerts1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "alert_channel" ("scope_path" text NOT NULL DEFAULT '/', "scope_agency_ids" uuid array, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "kind" character varying(10) NOT NULL, "recipients" text array, "url" text, "secret" text, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_alert_channel_target" CHECK (("kind" = 'email' AND "recipients" IS NOT NULL AND "url" IS NULL) OR ("kind" = 'webhook' AND "url" IS NOT NULL AND "secret" IS NOT NULL AND "recipients" IS NULL)), CONSTRAINT "ck_alert_channel_kind" CHECK ("kind" IN ('email', 'webhook')), CONSTRAINT "PK_528b6bccb20d009acf98bbea7b0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "alert_rule" ("scope_path" text NOT NULL DEFAULT '/', "scope_agency_ids" uuid array, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "kind" character varying(30) NOT NULL, "minutes" integer, "days" integer, "target_percent" numeric(7,4), "intervals" integer, "poller_group" character varying(100), "device_kind" character varying(40), "agency_id" uuid, "unit_id" uuid, "data_centre" character varying(200), "reminder_minutes" integer, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_alert_rule_numbers" CHECK (("minutes" IS NULL OR "minutes" BETWEEN 0 AND 10080) AND ("days" IS NULL OR "days" BETWEEN 1 AND 366) AND ("target_percent" IS NULL OR "target_percent" BETWEEN 0 AND 100) AND ("intervals" IS NULL OR "intervals" BETWEEN 2 AND 1000) AND ("reminder_minutes" IS NULL OR "reminder_minutes" BETWEEN 5 AND 10080)), CONSTRAINT "ck_alert_rule_kind" CHECK ("kind" IN ('device_down', 'interface_down', 'availability_below', 'poller_silent', 'not_polled')), CONSTRAINT "PK_e9bf555f33872d7b50eb2421a17" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "alert_rule_channel" ("rule_id" uuid NOT NULL, "channel_id" uuid NOT NULL, CONSTRAINT "PK_bfc0492498280d1e7c2f46621cc" PRIMARY KEY ("rule_id", "channel_id"))`);
    await queryRunner.query(`CREATE TABLE "alert_incident" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "rule_id" uuid, "rule_name" character varying(200) NOT NULL, "kind" character varying(30) NOT NULL, "subject" character varying(200) NOT NULL, "device_id" uuid, "if_index" integer, "place_path" text NOT NULL, "agency_id" uuid, "summary" text NOT NULL, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "resolved_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" character varying(200), "silenced" boolean NOT NULL DEFAULT false, "reminders" integer NOT NULL DEFAULT '0', "last_notified_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_db59b28ffcb9e82bddb29f3878a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_alert_incident_opened" ON "alert_incident"  ("opened_at") `);
    await queryRunner.query(`CREATE TABLE "alert_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "channel_id" uuid NOT NULL, "event" character varying(10) NOT NULL, "seq" integer NOT NULL DEFAULT '0', "status" character varying(10) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "claimed_until" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "message" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_alert_delivery_status" CHECK ("status" IN ('pending', 'sending', 'sent', 'failed')), CONSTRAINT "ck_alert_delivery_event" CHECK ("event" IN ('open', 'reminder', 'recovery')), CONSTRAINT "PK_c525535867340bf8eef9ac9721d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_alert_delivery_due" ON "alert_delivery"  ("status", "next_attempt_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_alert_delivery_once" ON "alert_delivery"  ("incident_id", "channel_id", "event", "seq") `);
    await queryRunner.query(`CREATE TABLE "alert_delivery_attempt" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "delivery_id" uuid NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_ms" integer NOT NULL, "ok" boolean NOT NULL, "response" text, "error" text, CONSTRAINT "PK_d4f2fac507bd214058e733a03b3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_alert_delivery_attempt_delivery" ON "alert_delivery_attempt"  ("delivery_id", "started_at") `);
    await queryRunner.query(`CREATE TABLE "snmp_trap" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_id" uuid NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source" character varying(100) NOT NULL, "version" character varying(2) NOT NULL, "name" character varying(20) NOT NULL, "if_index" integer, "varbinds" jsonb NOT NULL, CONSTRAINT "PK_7ccd3968d87047e12f4710df076" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_snmp_trap_device" ON "snmp_trap"  ("device_id", "received_at") `);
    await queryRunner.query(`ALTER TABLE "alert_rule" ADD CONSTRAINT "fk_alert_rule_agency" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_rule" ADD CONSTRAINT "fk_alert_rule_unit" FOREIGN KEY ("unit_id") REFERENCES "administrative_unit"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_rule_channel" ADD CONSTRAINT "fk_alert_rule_channel_rule" FOREIGN KEY ("rule_id") REFERENCES "alert_rule"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_rule_channel" ADD CONSTRAINT "fk_alert_rule_channel_channel" FOREIGN KEY ("channel_id") REFERENCES "alert_channel"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_incident" ADD CONSTRAINT "fk_alert_incident_rule" FOREIGN KEY ("rule_id") REFERENCES "alert_rule"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_incident" ADD CONSTRAINT "fk_alert_incident_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_delivery" ADD CONSTRAINT "fk_alert_delivery_incident" FOREIGN KEY ("incident_id") REFERENCES "alert_incident"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_delivery" ADD CONSTRAINT "fk_alert_delivery_channel" FOREIGN KEY ("channel_id") REFERENCES "alert_channel"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert_delivery_attempt" ADD CONSTRAINT "fk_alert_delivery_attempt_delivery" FOREIGN KEY ("delivery_id") REFERENCES "alert_delivery"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "snmp_trap" ADD CONSTRAINT "fk_snmp_trap_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "poller_run" ADD "overdue" jsonb`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_alert_incident_open" ON "alert_incident" ("rule_id", "subject") WHERE "resolved_at" IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_alert_incident_device" ON "alert_incident" ("device_id") WHERE "resolved_at" IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "poller_run" DROP COLUMN "overdue"`);
    for (const t of ['snmp_trap', 'alert_delivery_attempt', 'alert_delivery', 'alert_incident', 'alert_rule_channel', 'alert_rule', 'alert_channel']) await queryRunner.query(`DROP TABLE "${t}"`);
  }
}
