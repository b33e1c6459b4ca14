import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Redis } from 'ioredis';
import { AUTH_FAILURES_PREFIX, type RouteEntry, routeTable, TokensService } from '@app/access';
import { AlertEvaluator } from '@app/alerting';
import { can, EVERYWHERE, Permission, type Role, ROLES } from '@app/inventory';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';

/**
 * Tokens, roles and scopes. Two provinces: Bình Định (52, districts 540 Quy Nhơn and 542 An
 * Lão) and Đà Nẵng (48). Callers scoped to Bình Định, to Quy Nhơn, or to one agency must reach
 * exactly their part and nothing of Đà Nẵng, by any door.
 */
describe.each(ENGINES)('access control on %s', (engine) => {
  let t: TestApp;
  const unit: Record<string, { id: string; name: string }> = {};
  const agency: Record<string, string> = {};
  const device: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const token: Record<string, string> = {};

  const post = async (path: string, body: object) => (await t.http().post(`/api/v1/${path}`).send(body).expect(201)).body as { id: string };

  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'))).expect(200);
    for (const code of ['52', '540', '542', '21550', '48', '490']) {
      const u = (await t.http().get('/api/v1/administrative-units').query({ code }).expect(200)).body.items[0];
      unit[code] = { id: u.id, name: u.name };
    }
    agency.nhonBinh = (await post('agencies', { code: 'UBND-21550', name: 'UBND phường Nhơn Bình', kind: 'commune_committee', administrativeUnitId: unit['21550'].id })).id;
    agency.anLao = (await post('agencies', { code: 'UBND-542', name: 'UBND huyện An Lão', kind: 'district_committee', administrativeUnitId: unit['542'].id })).id;
    agency.stttt = (await post('agencies', { code: 'STTTT-52', name: 'Sở TT&TT Bình Định', kind: 'provincial_department', administrativeUnitId: unit['52'].id })).id;
    agency.cntt = (await post('agencies', { code: 'CNTT-52', name: 'Trung tâm CNTT', kind: 'public_service_unit', administrativeUnitId: unit['52'].id, parentId: agency.stttt })).id;
    agency.lienChieu = (await post('agencies', { code: 'UBND-490', name: 'UBND quận Liên Chiểu', kind: 'district_committee', administrativeUnitId: unit['490'].id })).id;
    const dev = (a: string, serial: string) => post('devices', { agencyId: agency[a], kind: 'router', serialNumber: serial, managementAddress: '127.0.0.1', commissionedOn: '2020-01-01' });
    device.nhonBinh = (await dev('nhonBinh', 'SN-NB')).id;
    device.anLao = (await dev('anLao', 'SN-AL')).id;
    device.cntt = (await dev('cntt', 'SN-CNTT')).id;
    device.lienChieu = (await dev('lienChieu', 'SN-LC')).id;
    ids.lanB = (await post('lans', { agencyId: agency.lienChieu, name: 'LAN Liên Chiểu', departmentsTotal: 5, departmentsJoined: 5, commissionedOn: '2020-01-01' })).id;
    ids.linkB = (await post('wan-links', { agencyId: agency.lienChieu, network: 'provincial_wan', medium: 'fibre', provider: 'VNPT', circuitId: 'LC-1', commissionedOn: '2020-01-01' })).id;
    ids.planA = (await t.http().post('/api/v1/plan-presets/binh-dinh-647-2012/load').send({}).expect(201)).body.id;
    ids.planB = (await t.http().post('/api/v1/plan-presets/binh-dinh-647-2012/load').send({ administrativeUnitId: unit['48'].id }).expect(201)).body.id;
    ids.reportB = (await t.http().post(`/api/v1/plans/${ids.planB}/reports`).send({ title: 'Đà Nẵng 2013', year: 2013 }).expect(201)).body.id;
    ids.windowB = (await t.http().post('/api/v1/maintenance-windows').send({ deviceId: device.lienChieu, startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-01-01T02:00:00Z', reason: 'bảo trì' }).expect(201)).body.id;
    await t.http().put(`/api/v1/devices/${device.lienChieu}/snmp`).send({ version: '2c', community: 'danang-secret' }).expect(200);
    await t.http().put(`/api/v1/devices/${device.nhonBinh}/snmp`).send({ version: '2c', community: 'nhonbinh-secret', enabled: false }).expect(200);

    const mk = (role: Role, scope: { administrativeUnitId?: string; agencyId?: string }, owner = `${role} ${JSON.stringify(scope)}`) => t.token({ role, owner, ...scope });
    for (const role of ROLES) token[`${role}@country`] = await mk(role, {});
    for (const role of ROLES) token[`${role}@52`] = await mk(role, { administrativeUnitId: unit['52'].id });
    token['network_admin@540'] = await mk('network_admin', { administrativeUnitId: unit['540'].id });
    token['planner@540'] = await mk('planner', { administrativeUnitId: unit['540'].id });
    token['network_admin@stttt'] = await mk('network_admin', { agencyId: agency.stttt });
    token['planner@stttt'] = await mk('planner', { agencyId: agency.stttt });
    ids.tokenB = (await t.http().post('/api/v1/tokens').send({ owner: 'Đà Nẵng viewer', role: 'viewer', administrativeUnitId: unit['48'].id }).expect(201)).body.id;
    ids.userB = (await t.http().post('/api/v1/users').send({ username: 'danang', displayName: 'Đà Nẵng planner', password: 'mật khẩu Đà Nẵng dài', role: 'planner', administrativeUnitId: unit['48'].id }).expect(201)).body.id;
    // Đà Nẵng's alerting: its admin's channel and rule, and the incident the rule opens (its poller group never reported).
    const danang = t.as(await mk('network_admin', { administrativeUnitId: unit['48'].id }));
    ids.channelB = (await danang.post('/api/v1/alerts/channels').send({ name: 'NOC Đà Nẵng', kind: 'email', recipients: ['noc@danang.gov.vn'] }).expect(201)).body.id;
    ids.ruleB = (await danang.post('/api/v1/alerts/rules').send({ name: 'Poller Đà Nẵng', kind: 'poller_silent', pollerGroup: 'da-nang', minutes: 5, channelIds: [ids.channelB] }).expect(201)).body.id;
    await t.app.get(AlertEvaluator).evaluate();
    ids.incidentB = (await t.http().get('/api/v1/alerts/incidents').query({ ruleId: ids.ruleB }).expect(200)).body.items[0].id;
    // A name of Đà Nẵng's reorganisation mapping (its new unit and old unit both in Đà Nẵng).
    ids.successionB = ((await t.ds.query(
      `INSERT INTO unit_succession (effective_on, new_unit_id, item_index, item_text, old_unit_id, status, how) VALUES ('2025-07-01', $1, 0, 'Quận Liên Chiểu', $2, 'proposed', 'name and type') RETURNING id`,
      [unit['48'].id, unit['490'].id],
    )) as Array<{ id: string }>)[0].id;
    // A run of the reorganisation applied to Đà Nẵng (runs are the whole country's business).
    ids.runB = ((await t.ds.query(`INSERT INTO reorganisation_run (effective_on, province_codes, summary, applied_by) VALUES ('2025-07-01', '{48}', '{}', 'test') RETURNING id`)) as Array<{ id: string }>)[0].id;
    // A discovery a country admin ran: a province-scoped admin sees none of it.
    await t.http().put('/api/v1/snmp-credentials/v2c-danang').send({ version: '2c', community: 'danang-secret' }).expect(201);
    ids.discoveryB = ((await t.ds.query(
      `INSERT INTO discovery (id, requested_by, state, request, total, started_at, finished_at) VALUES (gen_random_uuid(), 'Test admin', 'done', '{"cidr": "10.48.0.0/24", "credentials": ["v2c-danang"]}', 254, now(), now()) RETURNING id`,
    )) as Array<{ id: string }>)[0].id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const as = (name: string) => t.as(token[name]);
  const serials = async (name: string, path = 'devices') => ((await as(name).get(`/api/v1/${path}`).query({ limit: 100 }).expect(200)).body.items as Array<{ serialNumber: string }>).map((d) => d.serialNumber).sort();

  describe('authentication', () => {
    it('answers 401 problem+json to no token, a malformed one, an unknown one, and changes nothing', async () => {
      const before = (await t.http().get('/api/v1/devices').expect(200)).body.total;
      const none = await t.as().post('/api/v1/devices').send({ agencyId: agency.nhonBinh, kind: 'router' }).expect(401);
      expect(none.headers['content-type']).toContain('application/problem+json');
      expect(none.headers['www-authenticate']).toBe('Bearer realm="hatang"');
      expect(none.body).toMatchObject({ status: 401, detail: 'This route needs an API token: Authorization: Bearer <token>' });
      expect((await t.as().post('/api/v1/devices').set('Authorization', 'Basic YTpi').send({}).expect(401)).body.detail).toBe('The Authorization header must be "Bearer <token>"');
      expect((await t.as('not-a-token').get('/api/v1/devices').expect(401)).body.detail).toBe('The token is not a Hatang API token');
      expect((await t.as(`hat_${'A'.repeat(43)}`).get('/api/v1/devices').expect(401)).body.detail).toBe('Unknown token');
      expect((await t.http().get('/api/v1/devices').expect(200)).body.total).toBe(before);
    });

    it('refuses an expired token, a revoked one at once, and one used from an address it does not allow', async () => {
      const tokens = t.app.get(TokensService);
      const ctx = { actor: 'test', source: 'cli' as const, scope: EVERYWHERE };
      const { token: old } = await tokens.create({ owner: 'old', role: 'viewer', expiresInDays: 1 }, ctx, new Date(Date.now() - 2 * 86_400_000));
      expect((await t.as(old).get('/api/v1/me').expect(401)).body.detail).toMatch(/^This token expired on \d{4}-/);

      const made = (await t.http().post('/api/v1/tokens').send({ owner: 'Lê Văn C', role: 'viewer' }).expect(201)).body;
      await t.as(made.token).get('/api/v1/me').expect(200);
      await t.http().delete(`/api/v1/tokens/${made.id}`).expect(204);
      expect((await t.as(made.token).get('/api/v1/me').expect(401)).body.detail).toMatch(/^This token was revoked on /);

      const far = (await t.http().post('/api/v1/tokens').send({ owner: 'far', role: 'viewer', allowedAddresses: ['10.52.0.0/16'] }).expect(201)).body.token;
      expect((await t.as(far).get('/api/v1/me').expect(401)).body.detail).toMatch(/^This token may not be used from (::ffff:)?127\.0\.0\.1$/);
      const near = (await t.http().post('/api/v1/tokens').send({ owner: 'near', role: 'viewer', allowedAddresses: ['127.0.0.0/8', '::1'] }).expect(201)).body.token;
      await t.as(near).get('/api/v1/me').expect(200);
      const bad = await t.http().post('/api/v1/tokens').send({ owner: 'x', role: 'viewer', allowedAddresses: ['10.0.0.0/33', 'example.org'] }).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['allowedAddresses[0]', 'allowedAddresses[1]']);
    });

    it('stores only the hash of a token, shows the secret once, and audits creation and revocation by owner', async () => {
      const made = (await t.http().post('/api/v1/tokens').send({ owner: 'Phạm Thị D', role: 'planner', administrativeUnitId: unit['52'].id, expiresInDays: 30 }).expect(201)).body;
      expect(made).toMatchObject({ role: 'planner', scope: { kind: 'unit', name: unit['52'].name }, status: 'active', prefix: made.token.slice(0, 8), createdBy: 'Test admin' });
      const [row] = await t.ds.query('SELECT * FROM api_token WHERE id = $1', [made.id]);
      expect(row.secret_hash).toBe(createHash('sha256').update(made.token).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(made.token);
      const listed = (await t.http().get(`/api/v1/tokens/${made.id}`).expect(200)).body;
      expect(listed).not.toHaveProperty('token');
      expect(JSON.stringify(listed)).not.toContain(made.token.slice(8));
      await t.http().delete(`/api/v1/tokens/${made.id}`).expect(204);
      const log = (await t.http().get('/api/v1/audit').query({ entityType: 'api_token', entityId: made.id }).expect(200)).body.items;
      expect(log.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`)).toEqual(['update by Test admin', 'create by Test admin']);
      expect(log[0].after.status).toBe('revoked');
      expect(JSON.stringify(log)).not.toContain(made.token.slice(8));
    });

    it('names the caller, its role, permissions and scope', async () => {
      const me = (await as('planner@540').get('/api/v1/me').expect(200)).body;
      expect(me).toMatchObject({ role: 'planner', scope: { kind: 'unit', id: unit['540'].id, name: unit['540'].name } });
      expect(me.permissions).toEqual([Permission.InventoryRead, Permission.CoverageRead, Permission.PlansWrite]);
    });
  });

  describe('scope', () => {
    it('lists only what lies within the scope: a province, a district, an agency with its subordinates', async () => {
      expect(await serials('viewer@country')).toEqual(['SN-AL', 'SN-CNTT', 'SN-LC', 'SN-NB']);
      expect(await serials('viewer@52')).toEqual(['SN-AL', 'SN-CNTT', 'SN-NB']);
      expect(await serials('network_admin@540')).toEqual(['SN-NB']);
      expect(await serials('network_admin@stttt')).toEqual(['SN-CNTT']);
      const agencies = async (name: string) => ((await as(name).get('/api/v1/agencies').expect(200)).body.items as Array<{ code: string }>).map((a) => a.code).sort();
      expect(await agencies('network_admin@stttt')).toEqual(['CNTT-52', 'STTTT-52']);
      expect(await agencies('viewer@52')).toEqual(['CNTT-52', 'STTTT-52', 'UBND-21550', 'UBND-542']);
      // Units: the district's own subtree and the province above it, not the neighbour district nor Đà Nẵng.
      const units = ((await as('network_admin@540').get('/api/v1/administrative-units').query({ limit: 100 }).expect(200)).body.items as Array<{ code: string }>).map((u) => u.code).sort();
      expect(units).toEqual(['21550', '21553', '21601', '52', '540']);
    });

    it('does not reach another province by id, by filter, by bulk update, by import or by export', async () => {
      const dn = device.lienChieu;
      for (const path of [`devices/${dn}`, `agencies/${agency.lienChieu}`, `lans/${ids.lanB}`, `wan-links/${ids.linkB}`, `administrative-units/${unit['48'].id}`, `plans/${ids.planB}`, `reports/${ids.reportB}`]) {
        expect([path, (await as('admin@52').get(`/api/v1/${path}`)).status]).toEqual([path, 404]);
      }
      await as('network_admin@52').patch(`/api/v1/devices/${dn}`).send({ name: 'taken' }).expect(404);
      await as('network_admin@52').delete(`/api/v1/devices/${dn}`).expect(404);
      // By filter: naming Đà Nẵng's agency or unit finds nothing.
      expect((await as('viewer@52').get('/api/v1/devices').query({ agencyId: agency.lienChieu }).expect(200)).body.total).toBe(0);
      expect((await as('viewer@52').get('/api/v1/devices').query({ administrativeUnit: '48' }).expect(200)).body.total).toBe(0);
      expect((await as('viewer@52').get('/api/v1/devices').query({ q: 'SN-LC' }).expect(200)).body.total).toBe(0);

      // Bulk update: one item of Đà Nẵng refuses the whole list; to Bình Định's token it does not
      // exist, in the words used for an id nobody has; nothing changes.
      const bulk = await as('network_admin@52').patch('/api/v1/devices').send([{ id: device.nhonBinh, name: 'ok' }, { id: dn, name: 'taken' }]).expect(400);
      expect(bulk.body.errors).toEqual([{ field: '[1].id', message: `device ${dn} does not exist` }]);
      // Moving a device out of the scope, or creating one outside it.
      const move = await as('network_admin@52').patch(`/api/v1/devices/${device.nhonBinh}`).send({ agencyId: agency.lienChieu }).expect(403);
      expect(move.body.errors).toEqual([{ field: 'agencyId', message: `outside your scope (${unit['52'].name})` }]);
      const create = await as('network_admin@540').post('/api/v1/devices').send([{ agencyId: agency.nhonBinh, kind: 'switch', commissionedOn: '2015-01-01' }, { agencyId: agency.anLao, kind: 'switch', commissionedOn: '2015-01-01' }]).expect(403);
      expect(create.body.errors).toEqual([{ field: '[1].agencyId', message: `outside your scope (${unit['540'].name})` }]);
      await as('network_admin@stttt').post('/api/v1/devices').send({ agencyId: agency.nhonBinh, kind: 'switch' }).expect(403);
      // An agency of the district may not hang under an agency outside it.
      const orphan = await as('network_admin@540').post('/api/v1/agencies').send({ name: 'Trạm y tế', kind: 'health_station', administrativeUnitId: unit['21550'].id, parentId: agency.stttt }).expect(403);
      expect(orphan.body.errors).toEqual([{ field: 'parentId', message: `outside your scope (${unit['540'].name})` }]);
      await as('network_admin@stttt').post('/api/v1/devices').send({ agencyId: agency.cntt, kind: 'switch', serialNumber: 'SN-CNTT-2', commissionedOn: '2015-01-01' }).expect(201);

      // Import: one row of Đà Nẵng (by agency code, or a serial number of Đà Nẵng) and nothing is
      // written. Đà Nẵng's agency code does not exist for Bình Định's token; its serial number is
      // taken, and the answer names neither that device's id nor its province.
      const csv = [
        'agencyCode,kind,name,serialNumber,status,commissionedOn',
        'UBND-21550,switch,Switch tầng 2,SN-NEW-1,active,2021-01-01',
        'UBND-490,switch,Switch Đà Nẵng,SN-NEW-2,active,2021-01-01',
        'UBND-21550,router,Router,SN-LC,active,2021-01-01',
      ].join('\n');
      const imported = await as('network_admin@52').post('/api/v1/devices/import').set('Content-Type', 'text/csv').send(csv).expect(422);
      expect(imported.body.detail).toMatch(/^Nothing was imported/);
      expect(imported.body.errors.map((e: { row: number; column: string; message: string }) => [e.row, e.column, e.message])).toEqual([
        [3, 'agencyCode', 'no such code: UBND-490'],
        [4, 'serialNumber', 'another device already has serial number SN-LC'],
      ]);
      expect(JSON.stringify(imported.body)).not.toContain(dn);
      expect(await serials('viewer@country')).toEqual(['SN-AL', 'SN-CNTT', 'SN-CNTT-2', 'SN-LC', 'SN-NB']);
      const device0 = (await t.http().get(`/api/v1/devices/${dn}`).expect(200)).body;
      expect([device0.name, device0.agencyId]).toEqual([null, agency.lienChieu]);

      // Export: the district's CSV has its one device.
      const exported = (await as('network_admin@540').get('/api/v1/devices/export').query({ format: 'csv' }).expect(200)).text;
      expect(exported.trim().split('\n').slice(1).map((l) => l.split(',').find((c) => c.startsWith('SN-')))).toEqual(['SN-NB']);

      // Polling, maintenance and availability of another province's device.
      await as('network_admin@52').get(`/api/v1/devices/${dn}/snmp`).expect(404);
      await as('network_admin@52').put(`/api/v1/devices/${dn}/snmp`).send({ version: '2c', community: 'x' }).expect(404);
      await as('network_admin@52').post('/api/v1/maintenance-windows').send({ deviceId: dn, startsAt: '2025-02-01T00:00:00Z', endsAt: '2025-02-01T01:00:00Z', reason: 'x' }).expect(404);
      await as('network_admin@52').delete(`/api/v1/maintenance-windows/${ids.windowB}`).expect(404);
      expect((await as('viewer@52').get('/api/v1/availability').query({ agencyId: agency.lienChieu, from: '2025-01-01T00:00:00Z' }).expect(200)).body.devices).toEqual([]);
      expect((await as('viewer@52').get('/api/v1/maintenance-windows').expect(200)).body.total).toBe(0);
    });

    it('gives a district its own coverage figures, and keeps plans and reported values with the province', async () => {
      const plans = ((await as('planner@540').get('/api/v1/plans').expect(200)).body.items as Array<{ id: string }>).map((p) => p.id);
      expect(plans).toEqual([ids.planA]);
      const province = (await as('planner@52').get(`/api/v1/plans/${ids.planA}/coverage`).query({ year: 2013 }).expect(200)).body;
      const district = (await as('planner@540').get(`/api/v1/plans/${ids.planA}/coverage`).query({ year: 2013 }).expect(200)).body;
      expect(province.area.name).toBe(unit['52'].name);
      expect(district.area.name).toBe(unit['540'].name);
      const communes = (c: { targets: Array<{ indicator: { code: string }; denominator: number | null }> }) => c.targets.find((x) => x.indicator.code === 'commune_lan')?.denominator;
      // Bình Định's fixture has 5 communes, Quy Nhơn 3.
      expect([communes(province), communes(district)]).toEqual([5, 3]);
      // An agency's token: its own agencies' figures; indicators over units have none for it.
      const ofAgency = (await as('planner@stttt').get(`/api/v1/plans/${ids.planA}/coverage`).query({ year: 2013 }).expect(200)).body;
      expect(ofAgency.area.name).toBe('Sở TT&TT Bình Định');
      const byCode = (c: { targets: Array<{ indicator: { code: string }; denominator: number | null; status: string }> }, code: string) => c.targets.find((x) => x.indicator.code === code);
      expect(byCode(ofAgency, 'commune_lan')).toMatchObject({ denominator: null, status: 'no_data' });
      // Security devices are counted over state agencies: the Sở alone (its Trung tâm CNTT is a public service unit), against 3 in the province.
      expect([byCode(ofAgency, 'agency_security_devices')?.denominator, byCode(province, 'agency_security_devices')?.denominator]).toEqual([1, 3]);
      await as('planner@stttt').post(`/api/v1/plans/${ids.planA}/reports`).send({ year: 2013 }).expect(403);

      // A district's planner reads the plan but does not change it; its saved report is its own.
      await as('planner@540').patch(`/api/v1/plans/${ids.planA}`).send({ titleEn: 'changed' }).expect(403);
      const saved = (await as('planner@540').post(`/api/v1/plans/${ids.planA}/reports`).send({ title: 'Quy Nhơn 2013', year: 2013 }).expect(201)).body;
      const provincial = (await as('planner@52').post(`/api/v1/plans/${ids.planA}/reports`).send({ title: 'Bình Định 2013', year: 2013 }).expect(201)).body;
      expect(((await as('planner@540').get(`/api/v1/plans/${ids.planA}/reports`).expect(200)).body.items as Array<{ id: string }>).map((r) => r.id)).toEqual([saved.id]);
      await as('planner@540').get(`/api/v1/reports/${provincial.id}`).expect(404);
      expect((await as('planner@52').get(`/api/v1/reports/${saved.id}`).expect(200)).body.figures.area.name).toBe(unit['540'].name);

      // Reported values and indicators.
      await as('planner@52').put('/api/v1/indicators/online_meetings_province_district/reported-values').send({ administrativeUnitId: unit['48'].id, year: 2013, value: 50, source: 'xyz' }).expect(403);
      await as('planner@540').put('/api/v1/indicators/online_meetings_province_district/reported-values').send({ administrativeUnitId: unit['52'].id, year: 2013, value: 50, source: 'xyz' }).expect(403);
      await as('planner@52').put('/api/v1/indicators/online_meetings_province_district/reported-values').send({ administrativeUnitId: unit['52'].id, year: 2013, value: 50, source: 'Báo cáo Sở TT&TT' }).expect(200);
      await as('planner@country').put('/api/v1/indicators/online_meetings_province_district/reported-values').send({ administrativeUnitId: unit['48'].id, year: 2013, value: 70, source: 'xyz' }).expect(200);
      expect(((await as('viewer@52').get('/api/v1/indicators/online_meetings_province_district/reported-values').expect(200)).body.items as Array<{ value: number }>).map((v) => v.value)).toEqual([50]);
      // Indicators: a province declares its own, which only it sees and uses; one for every province needs a national token.
      const indicator = { code: 'meetings_with_minutes', labelVi: 'Cuộc họp có biên bản điện tử', labelEn: 'Meetings with electronic minutes', definition: { population: { entity: 'reported' } } };
      const own = (await as('planner@52').post('/api/v1/indicators').send(indicator).expect(201)).body;
      expect(own.administrativeUnitId).toBe(unit['52'].id);
      await as('viewer@country').get('/api/v1/indicators/meetings_with_minutes').expect(200);
      await as('planner@540').get('/api/v1/indicators/meetings_with_minutes').expect(200);
      const danang = await t.token({ role: 'planner', administrativeUnitId: unit['48'].id });
      await t.as(danang).get('/api/v1/indicators/meetings_with_minutes').expect(404);
      expect(((await t.as(danang).get('/api/v1/indicators').expect(200)).body.items as Array<{ code: string }>).map((i) => i.code)).not.toContain('meetings_with_minutes');
      await t.as(danang).patch('/api/v1/indicators/meetings_with_minutes').send({ labelEn: 'x' }).expect(404);
      const target = { indicator: 'meetings_with_minutes', year: 2013, value: 50, wordingVi: 'Tỷ lệ cuộc họp có biên bản điện tử' };
      await as('planner@52').post('/api/v1/plans').send({ administrativeUnitId: unit['52'].id, titleVi: 'Kế hoạch 2013', periodFrom: 2013, periodTo: 2013, targets: [target] }).expect(201);
      const foreign = await as('planner@country').post('/api/v1/plans').send({ administrativeUnitId: unit['48'].id, titleVi: 'Kế hoạch 2013', periodFrom: 2013, periodTo: 2013, targets: [target] }).expect(422);
      expect(foreign.body.errors).toEqual([{ field: 'targets[0].indicator', message: 'no indicator with code meetings_with_minutes', value: 'meetings_with_minutes' }]);
      const districtOwn = await as('planner@540').post('/api/v1/indicators').send({ ...indicator, code: 'district_own' }).expect(403);
      expect(districtOwn.body.errors).toEqual([{ field: 'administrativeUnitId', message: `${unit['52'].name} is outside your scope` }]);
      await as('planner@52').post('/api/v1/indicators').send({ ...indicator, code: 'for_danang', administrativeUnitId: unit['48'].id }).expect(403);
      const national = (await as('planner@country').post('/api/v1/indicators').send({ ...indicator, code: 'meetings_national' }).expect(201)).body;
      expect(national.administrativeUnitId).toBeNull();
      expect((await as('planner@52').patch('/api/v1/indicators/meetings_national').send({ labelEn: 'x' }).expect(403)).body.detail).toMatch(/^This indicator is for every province; changing it needs a token for the whole country/);
      await as('planner@52').patch('/api/v1/indicators/meetings_with_minutes').send({ labelEn: 'Meetings minuted electronically' }).expect(200);
    });

    it('shows a scoped admin the history and the tokens of its scope only, and lets it hand on only what it has', async () => {
      const history = async (id: string) => (await as('admin@52').get('/api/v1/audit').query({ entityId: id }).expect(200)).body.total;
      expect(await history(device.nhonBinh)).toBeGreaterThan(0);
      expect(await history(device.lienChieu)).toBe(0);
      expect(await history(ids.tokenB)).toBe(0);
      const scopes = ((await as('admin@52').get('/api/v1/tokens').expect(200)).body.items as Array<{ scope: { name: string } }>).map((x) => x.scope.name);
      expect(new Set(scopes)).toEqual(new Set([unit['52'].name, unit['540'].name, 'Sở TT&TT Bình Định']));
      await as('admin@52').get(`/api/v1/tokens/${ids.tokenB}`).expect(404);
      await as('admin@52').delete(`/api/v1/tokens/${ids.tokenB}`).expect(404);
      const wider = await as('admin@52').post('/api/v1/tokens').send({ owner: 'x', role: 'viewer' }).expect(403);
      expect(wider.body.errors).toEqual([{ field: 'administrativeUnitId', message: 'the whole country is outside your scope' }]);
      await as('admin@52').post('/api/v1/tokens').send({ owner: 'x', role: 'viewer', administrativeUnitId: unit['48'].id }).expect(403);
      await as('admin@52').post('/api/v1/tokens').send({ owner: 'Quy Nhơn viewer', role: 'viewer', administrativeUnitId: unit['540'].id }).expect(201);
    });

    it('hands SNMP secrets to poller tokens only, over their own endpoint, within their scope', async () => {
      const targets = (await as('poller@52').get('/api/v1/poller/targets').expect(200));
      expect(targets.headers['cache-control']).toBe('no-store');
      // Nhơn Bình's profile is disabled: the province's poller has nothing; the country's has Đà Nẵng's.
      expect(targets.body.items).toEqual([]);
      const all = (await as('poller@country').get('/api/v1/poller/targets').expect(200)).body;
      expect(all.items).toEqual([expect.objectContaining({ deviceId: device.lienChieu, credentials: { version: '2c', community: 'danang-secret' } })]);
      await as('admin@country').get('/api/v1/poller/targets').expect(403);
      // The poller role reads nothing else.
      await as('poller@country').get('/api/v1/devices').expect(403);
      // No other route returns a secret, to anyone.
      for (const path of [`devices/${device.lienChieu}/snmp`, 'audit?entityType=snmp_profile', 'devices/export?format=csv']) {
        expect((await as('admin@country').get(`/api/v1/${path}`).expect(200)).text).not.toMatch(/danang-secret|nhonbinh-secret/);
      }
    });
    it('takes poll results from a poller token for devices within its scope, and keeps the outage ledger from them', async () => {
      await t.http().put(`/api/v1/devices/${device.anLao}/snmp`).send({ version: '2c', community: 'anlao-secret', pollerGroup: 'an-lao' }).expect(200);
      const targets = (await as('poller@52').get('/api/v1/poller/targets').query({ group: 'an-lao' }).expect(200)).body.items;
      expect(targets).toEqual([expect.objectContaining({ deviceId: device.anLao, address: '127.0.0.1', port: 161, credentials: { version: '2c', community: 'anlao-secret' } })]);
      const down = new Date(Date.now() - 20_000).toISOString();
      const up = new Date(Date.now() - 10_000).toISOString();
      const failed = { deviceId: device.anLao, at: down, failure: { reason: 'timeout', message: 'no answer in 2000 ms' } };
      expect((await as('poller@52').post('/api/v1/poller/results').send({ items: [failed] }).expect(200)).body).toEqual({ accepted: 1, changed: 1 });
      const reading = { sysUpTimeTicks: 5_000_000, sysName: 'an-lao-gw', interfaces: [] };
      await as('poller@52').post('/api/v1/poller/results').send({ items: [{ deviceId: device.anLao, at: up, reading }] }).expect(200);
      const outages = (await as('viewer@52').get(`/api/v1/devices/${device.anLao}/outages`).query({ from: '2020-01-01T00:00:00Z' }).expect(200)).body.items;
      expect(outages).toEqual([expect.objectContaining({ cause: 'unreachable', startedAt: down, endedAt: up })]);
      expect((await as('viewer@52').get(`/api/v1/devices/${device.anLao}/poll-state`).expect(200)).body).toMatchObject({ state: 'up', sysName: 'an-lao-gw' });

      // Another province's device, a device of the group the API polls itself, a bad body: refused whole.
      const other = await as('poller@52').post('/api/v1/poller/results').send({ items: [{ ...failed, at: up }, { ...failed, deviceId: device.lienChieu }] }).expect(400);
      expect(other.body.errors).toEqual([{ field: 'items[1].deviceId', message: `no device ${device.lienChieu} within your scope` }]);
      const own = await as('poller@country').post('/api/v1/poller/results').send({ items: [{ ...failed, deviceId: device.lienChieu }] }).expect(400);
      expect(own.body.errors[0].message).toBe('poller group default is polled inside the API; its results come from there');
      const bad = await as('poller@52').post('/api/v1/poller/results').send({ items: [{ deviceId: device.anLao, at: 'yesterday', failure: { reason: 'gone', message: 'x' } }] }).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['items[0].at', 'items[0].failure.reason']);
      expect((await as('viewer@52').get(`/api/v1/devices/${device.anLao}/poll-state`).expect(200)).body.state).toBe('up');
      await as('network_admin@52').post('/api/v1/poller/results').send({ items: [failed] }).expect(403);
    });
  });

  describe('the route table', () => {
    let routes: RouteEntry[];
    beforeAll(() => {
      routes = routeTable(t.app.get(DiscoveryService), t.app.get(MetadataScanner));
    });

    /** A URL for a route, its parameters filled with records of the given province's side. */
    const urlOf = (r: RouteEntry, side: 'A' | 'B'): string => {
      const byPrefix: Array<[RegExp, () => string]> = [
        [/^devices\/:id/, () => (side === 'A' ? device.nhonBinh : device.lienChieu)],
        [/^agencies\/:id/, () => (side === 'A' ? agency.nhonBinh : agency.lienChieu)],
        [/^lans\/:id/, () => (side === 'A' ? randomUUID() : ids.lanB)],
        [/^wan-links\/:id/, () => (side === 'A' ? randomUUID() : ids.linkB)],
        [/^administrative-units\/:id/, () => (side === 'A' ? unit['540'].id : unit['48'].id)],
        [/^plans\/:id/, () => (side === 'A' ? ids.planA : ids.planB)],
        [/^reports\/:id/, () => (side === 'A' ? randomUUID() : ids.reportB)],
        [/^tokens\/:id/, () => (side === 'A' ? randomUUID() : ids.tokenB)],
        [/^users\/:id/, () => (side === 'A' ? randomUUID() : ids.userB)],
        [/^maintenance-windows\/:id/, () => (side === 'A' ? randomUUID() : ids.windowB)],
        [/^indicators\/:id/, () => 'commune_lan'],
        [/^alerts\/channels\/:id/, () => (side === 'A' ? randomUUID() : ids.channelB)],
        [/^alerts\/rules\/:id/, () => (side === 'A' ? randomUUID() : ids.ruleB)],
        [/^alerts\/incidents\/:id/, () => (side === 'A' ? randomUUID() : ids.incidentB)],
        [/^unit-successions\/:id/, () => (side === 'A' ? randomUUID() : ids.successionB)],
        [/^reorganisations\/:id/, () => (side === 'A' ? randomUUID() : ids.runB)],
        [/^discoveries\/:id/, () => (side === 'A' ? randomUUID() : ids.discoveryB)],
      ];
      let path = r.path;
      if (path.includes(':id')) {
        const found = byPrefix.find(([re]) => re.test(path));
        if (!found) throw new Error(`No record to try for /${path}: add it to this test's table`);
        path = path.replace(':id', found[1]());
      }
      path = path.replace(':resource', 'devices').replace(':year', '2020').replace(':code', 'no-such-preset');
      return path === 'health' || path === 'metrics' ? `/${path}` : `/api/v1/${path}`;
    };
    const call = (r: RouteEntry, url: string, secret?: string) => {
      const req = t.as(secret)[r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](url);
      return r.method === 'GET' ? req.query({ format: 'csv' }) : req.send({});
    };

    it('has a rule on every route, and no route but health and signing in is open', () => {
      expect(routes.length).toBeGreaterThan(50);
      expect(routes.filter((r) => r.rule === undefined)).toEqual([]);
      expect(routes.filter((r) => r.rule === 'public').map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET health', 'POST session']);
    });

    it('lets each role do what the design gives it, and nothing else', async () => {
      const tries: Array<[string, 'get' | 'post' | 'patch', string, object?]> = [
        ['read inventory', 'get', '/api/v1/devices'],
        ['write inventory', 'patch', `/api/v1/devices/${device.anLao}`, { name: 'Router An Lão' }],
        ['write units', 'patch', `/api/v1/administrative-units/${unit['542'].id}`, { name: 'Huyện An Lão' }],
        ['read coverage', 'get', `/api/v1/plans/${ids.planA}/coverage`],
        ['manage plans', 'patch', `/api/v1/plans/${ids.planA}`, { titleEn: 'Binh Dinh plan for IT in state agencies, 2011–2015' }],
        ['read the audit log', 'get', '/api/v1/audit'],
        ['manage tokens', 'get', '/api/v1/tokens'],
        ['read SNMP targets with secrets', 'get', '/api/v1/poller/targets'],
        ['read metrics', 'get', '/metrics'],
      ];
      const matrix: Record<string, string[]> = {};
      for (const role of ROLES) {
        matrix[role] = [];
        for (const [what, method, url, body] of tries) {
          const res = await t.as(token[`${role}@country`])[method](url).send(body);
          if (res.status < 300) matrix[role].push(what);
          else expect([role, what, res.status]).toEqual([role, what, 403]);
        }
      }
      expect(matrix).toEqual({
        admin: ['read inventory', 'write inventory', 'write units', 'read coverage', 'manage plans', 'read the audit log', 'manage tokens', 'read metrics'],
        network_admin: ['read inventory', 'write inventory', 'read coverage'],
        planner: ['read inventory', 'read coverage', 'manage plans'],
        viewer: ['read inventory', 'read coverage'],
        poller: ['read SNMP targets with secrets', 'read metrics'],
      });
    });

    it('answers 401 without a token and 403 to every role the rule leaves out, on every route', async () => {
      const wrong: string[] = [];
      for (const r of routes) {
        const url = urlOf(r, 'A');
        const anonymous = (await call(r, url)).status;
        if ((r.rule === 'public') !== (anonymous !== 401)) wrong.push(`${r.method} ${url} without a token: ${anonymous}`);
        if (r.rule === 'public') continue;
        for (const role of ROLES) {
          const status = (await call(r, url, token[`${role}@country`])).status;
          const allowed = r.rule === 'authenticated' || can(role, r.rule as Permission);
          if (allowed ? status === 401 || status === 403 : status !== 403) wrong.push(`${r.method} ${url} as ${role}: ${status}`);
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);

    it('never answers a province-scoped caller with another province’s records, on every route', async () => {
      const theirs = [device.lienChieu, agency.lienChieu, ids.lanB, ids.linkB, unit['48'].id, unit['490'].id, ids.planB, ids.reportB, ids.tokenB, ids.windowB, ids.userB, 'SN-LC', 'danang-secret', ids.channelB, ids.ruleB, ids.incidentB, 'noc@danang.gov.vn', ids.successionB, ids.runB, ids.discoveryB];
      const leaks: string[] = [];
      const touched: string[] = [];
      for (const r of routes.filter((x) => x.rule !== 'public' && x.rule !== 'authenticated')) {
        const role = ROLES.find((x) => can(x, r.rule as Permission))!;
        for (const side of ['A', 'B'] as const) {
          const url = urlOf(r, side);
          const res = await call(r, url, token[`${role}@52`]);
          if (side === 'B' && r.path.includes(':id') && !r.path.startsWith('indicators') && res.status < 400) touched.push(`${r.method} ${url} as ${role}@52: ${res.status}`);
          const body = res.text ?? JSON.stringify(res.body);
          // An id the caller sent comes back in a 404's message: that is no leak.
          for (const id of theirs) if (!url.includes(id) && body.includes(id)) leaks.push(`${r.method} ${url} as ${role}@52 shows ${id}`);
        }
      }
      expect(touched).toEqual([]);
      expect(leaks).toEqual([]);
      // And Đà Nẵng's records are as they were.
      expect((await t.http().get(`/api/v1/devices/${device.lienChieu}`).expect(200)).body.name).toBeNull();
      await t.http().get(`/api/v1/tokens/${ids.tokenB}`).expect(200);
      await t.http().get(`/api/v1/alerts/channels/${ids.channelB}`).expect(200);
      expect((await t.http().get(`/api/v1/alerts/rules/${ids.ruleB}`).expect(200)).body.enabled).toBe(true);
      expect((await t.http().get(`/api/v1/alerts/incidents/${ids.incidentB}`).expect(200)).body.acknowledgedAt).toBeNull();
      expect((await t.http().get(`/api/v1/users/${ids.userB}`).expect(200)).body.disabled).toBe(false);
    }, 120_000);
  });
});

describe('security headers, CORS and failed-authentication limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp('pglite', { AUTH_FAILURES_PER_MINUTE: '3' });
    // The admin token has worked from this address: it keeps working while the address is blocked.
    await t.http().get('/api/v1/me').expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 after too many failed authentications from one address, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) await t.as(`hat_${String(i).repeat(43)}`).get('/api/v1/me').expect(401);
    const limited = await t.as(`hat_${'9'.repeat(43)}`).get('/api/v1/me').expect(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    await t.as().get('/health').expect(200);
  });

  it('sends security headers, closes CORS, and limits the body size', async () => {
    const res = await t.as().get('/health').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.as().options('/api/v1/devices').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const big = await t.http().post('/api/v1/devices').set('Content-Type', 'application/json').send(`[${'{"kind":"router"},'.repeat(1_200_000)}{}]`).expect(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
  });
});

describe('CORS for configured origins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp('pglite', { CORS_ORIGINS: 'https://hatang.binhdinh.gov.vn' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('allows the configured origin only', async () => {
    const ok = await t.http().get('/api/v1/me').set('Origin', 'https://hatang.binhdinh.gov.vn').expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://hatang.binhdinh.gov.vn');
    const other = await t.http().get('/api/v1/me').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('failed authentications counted across API processes through Redis', () => {
  const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${AUTH_FAILURES_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    const env = { REDIS_URL, AUTH_FAILURES_PER_MINUTE: '3', POLLER_IN_PROCESS: 'false' };
    a = await startApp('pglite', env);
    b = await startApp('pglite', env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('answers 429 on one process after failures on the other', async () => {
    const bad = `hat_${'x'.repeat(43)}`;
    await a.as(bad).get('/api/v1/me').expect(401);
    await a.as(bad).get('/api/v1/me').expect(401);
    await b.as(bad).get('/api/v1/me').expect(401);
    expect(Number((await b.as(bad).get('/api/v1/me').expect(429)).headers['retry-after'])).toBeGreaterThan(0);
    await a.as(bad).get('/api/v1/me').expect(429);
  });
});
