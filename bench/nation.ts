import type { DataSource } from 'typeorm';

/**
 * The national benchmark inventory (bench:coverage, bench:reorganisation), generated in the
 * database over the administrative units already imported: about 50,000 agencies (130 per
 * province, 2 per district, 4 per commune), their staffing 2011–2015, `WORKSTATIONS` workstations,
 * firewalls, videoconference endpoints, 50,000 WAN links and 50,000 LANs.
 */
export async function generateNation(ds: DataSource, WORKSTATIONS: number): Promise<Record<string, number>> {
  const q = (sql: string) => ds.query(sql);
  await q(`INSERT INTO agency (code, name, kind, sector, administrative_unit_id)
    SELECT 'P' || u.code || '-' || g, 'Cơ quan ' || g || ' ' || u.name,
      CASE WHEN g = 0 THEN 'provincial_committee' WHEN g <= 30 THEN 'provincial_department' ELSE 'public_service_unit' END, 'general', u.id
    FROM administrative_unit u, generate_series(0, 129) g WHERE u.level = 'province'`);
  await q(`INSERT INTO agency (code, name, kind, sector, administrative_unit_id)
    SELECT 'D' || u.code || '-' || g, CASE WHEN g = 0 THEN 'UBND ' ELSE 'Bệnh viện ' END || u.name,
      CASE WHEN g = 0 THEN 'district_committee' ELSE 'hospital' END, CASE WHEN g = 0 THEN 'general' ELSE 'health' END, u.id
    FROM administrative_unit u, generate_series(0, 1) g WHERE u.level = 'district'`);
  await q(`INSERT INTO agency (code, name, kind, sector, administrative_unit_id)
    SELECT 'C' || u.code || '-' || g, (ARRAY['UBND ', 'Trạm y tế ', 'Trường tiểu học ', 'Trường THCS '])[g + 1] || u.name,
      (ARRAY['commune_committee', 'health_station', 'school', 'school'])[g + 1], (ARRAY['general', 'health', 'education', 'education'])[g + 1], u.id
    FROM administrative_unit u, generate_series(0, 3) g WHERE u.level = 'commune'`);
  await q(`CREATE TEMP TABLE bench_agency AS SELECT id, kind, ((row_number() OVER (ORDER BY code)) - 1)::int AS n FROM agency`);
  const [{ count: agencies }] = await ds.query(`SELECT count(*)::int AS count FROM bench_agency`);
  await q(`INSERT INTO agency_staffing (agency_id, year, civil_servants, public_employees)
    SELECT id, y, 5 + (n * 7 + y) % 36, (n * 3 + y) % 9 FROM bench_agency, generate_series(2011, 2015) y`);
  // Workstations: about 20 per agency, commissioned 2010–2016, one in ten retired later.
  for (let from = 0; from < WORKSTATIONS; from += 250_000) {
    await q(`INSERT INTO device (agency_id, kind, status, commissioned_on, retired_on)
      SELECT a.id, 'workstation', CASE WHEN i % 10 = 0 THEN 'retired' ELSE 'active' END,
        date '2010-01-01' + (i * 37 % 2500), CASE WHEN i % 10 = 0 THEN date '2010-01-01' + (i * 37 % 2500) + 400 + i % 900 END
      FROM generate_series(${from}, ${Math.min(from + 250_000, WORKSTATIONS) - 1}) i JOIN bench_agency a ON a.n = i % ${agencies}`);
  }
  // Firewalls in one agency of three, a province–district endpoint in most district committees.
  await q(`INSERT INTO device (agency_id, kind, status, commissioned_on) SELECT id, 'firewall', 'active', date '2011-01-01' + (n * 13 % 1800) FROM bench_agency WHERE n % 3 = 0`);
  await q(`INSERT INTO device (agency_id, kind, status, commissioned_on, meeting_system)
    SELECT id, 'videoconference_endpoint', 'active', date '2011-06-01' + (n * 11 % 700), 'province_district' FROM bench_agency WHERE kind = 'district_committee' AND n % 7 <> 0`);
  // 50,000 WAN links and 50,000 LANs.
  await q(`INSERT INTO wan_link (agency_id, network, medium, bandwidth_mbps, provider, circuit_id, status, commissioned_on)
    SELECT a.id, (ARRAY['provincial_wan', 'tslcd', 'internet'])[1 + i % 3], CASE WHEN i % 4 = 0 THEN 'copper' ELSE 'fibre' END, 10 + i % 90, 'VNPT', 'C' || i, 'active', date '2010-06-01' + (i * 29 % 2000)
    FROM generate_series(0, 49999) i JOIN bench_agency a ON a.n = (i * 7919) % ${agencies}`);
  await q(`INSERT INTO lan (agency_id, name, departments_joined, departments_total, completed_on, status, commissioned_on)
    SELECT a.id, 'LAN ' || i, 3 + i % 3, 5, CASE WHEN i % 3 = 2 THEN date '2010-06-01' + (i * 31 % 2000) + 200 END, 'active', date '2010-06-01' + (i * 31 % 2000)
    FROM generate_series(0, 49999) i JOIN bench_agency a ON a.n = i % ${agencies}`);
  await q(`ANALYZE`);
  const counts = await ds.query(`SELECT (SELECT count(*) FROM agency)::int AS agencies, (SELECT count(*) FROM device WHERE kind = 'workstation')::int AS workstations,
    (SELECT count(*) FROM wan_link)::int AS links, (SELECT count(*) FROM lan)::int AS lans, (SELECT count(*) FROM agency_staffing)::int AS staffing`);
  return counts[0];
}

