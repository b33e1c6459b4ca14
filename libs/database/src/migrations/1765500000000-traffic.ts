import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Interface traffic: 5-minute points (kept 35 days), hourly (13 months) and daily (5 years) roll-ups.
 * Expiry deletes by time through a BRIN index on `at` (rows arrive in time order: the index stays
 * a few pages, and an expiry reads only the blocks it empties).
 */
export class Traffic1765500000000 implements MigrationInterface {
  name = 'Traffic1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const columns = `"interface_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "in_bps" double precision NOT NULL, "out_bps" double precision NOT NULL,
      "in_errors_per_second" double precision, "out_errors_per_second" double precision, "seconds" integer NOT NULL`;
    const rolled = `, "in_max_bps" double precision NOT NULL, "out_max_bps" double precision NOT NULL`;
    // The foreign keys carry TypeORM's names: the columns come from one base class for the three tables.
    for (const [table, extra, fk] of [
      ['traffic_5m', '', 'FK_f51b327907ca306915473c11cdd'],
      ['traffic_1h', rolled, 'FK_947437c450028c8be5f23a02bec'],
      ['traffic_1d', rolled, 'FK_991dd9d8720ff3ef39ebe5ee6b9'],
    ] as const) {
      await queryRunner.query(`CREATE TABLE "${table}" (${columns}${extra},
        CONSTRAINT "PK_${table}" PRIMARY KEY ("interface_id", "at"),
        CONSTRAINT "${fk}" FOREIGN KEY ("interface_id") REFERENCES "device_interface"("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    }
    await queryRunner.query(`CREATE INDEX "ix_traffic_5m_at" ON "traffic_5m" USING brin ("at")`);
    await queryRunner.query(`CREATE INDEX "ix_traffic_1h_at" ON "traffic_1h" USING brin ("at")`);
    await queryRunner.query(`CREATE TABLE "traffic_rollup" ("resolution" character varying(10) NOT NULL, "done_until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_traffic_rollup" PRIMARY KEY ("resolution"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['traffic_rollup', 'traffic_1d', 'traffic_1h', 'traffic_5m']) await queryRunner.query(`DROP TABLE "${table}"`);
  }
}
