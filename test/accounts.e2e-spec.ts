import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

/** People sign in as people: accounts with passwords, a session cookie, CSRF on writes. */
describe.each(ENGINES)('accounts and sessions on %s', (engine) => {
  let t: TestApp;
  let district: { id: string };
  let agencyHere: { id: string };
  let agencyThere: { id: string };

  beforeAll(async () => {
    t = await startApp(engine, { AUTH_FAILURES_PER_MINUTE: '5' });
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const unit = async (code: string) => (await t.http().get('/api/v1/administrative-units').query({ code }).expect(200)).body.items[0];
    district = await unit('540');
    agencyHere = (await t.http().post('/api/v1/agencies').send({ code: 'HERE', name: 'UBND Nhơn Châu', kind: 'commune_committee', administrativeUnitId: (await unit('21601')).id }).expect(201)).body;
    agencyThere = (await t.http().post('/api/v1/agencies').send({ code: 'THERE', name: 'UBND An Lão', kind: 'commune_committee', administrativeUnitId: (await unit('21609')).id }).expect(201)).body;
    await t.http().post('/api/v1/devices').send([
      { agencyId: agencyHere.id, kind: 'router', commissionedOn: '2014-01-01', serialNumber: 'HERE-1' },
      { agencyId: agencyThere.id, kind: 'router', commissionedOn: '2014-01-01', serialNumber: 'THERE-1' },
    ]).expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Signs in; the cookie and CSRF token of the session. */
  const signIn = async (username: string, password: string) => {
    const res = await t.as().post('/api/v1/session').send({ username, password });
    const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.[0] ?? '';
    return { res, cookie: cookie.split(';')[0], csrf: res.body.csrfToken as string };
  };

  it('signs a person in with a password kept as a scrypt hash, in an httpOnly SameSite=Strict cookie', async () => {
    const made = await t.http().post('/api/v1/users').send({ username: 'nguyenvana', displayName: 'Nguyễn Văn A', password: 'một câu dài dễ nhớ', role: 'network_admin', administrativeUnitId: district.id }).expect(201);
    expect(made.body).toMatchObject({ username: 'nguyenvana', role: 'network_admin', scope: { kind: 'unit', name: 'Thành phố Quy Nhơn' }, disabled: false });
    expect(JSON.stringify(made.body)).not.toContain('một câu');
    const [row] = await t.ds.query(`SELECT password_hash FROM user_account WHERE username = 'nguyenvana'`);
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);

    expect((await t.as().post('/api/v1/session').send({ username: 'nguyenvana', password: 'wrong password!' })).status).toBe(401);
    expect((await t.as().post('/api/v1/session').send({ username: 'nobody', password: 'wrong password!' })).body.detail).toBe('Wrong username or password');
    const { res, cookie, csrf } = await signIn('nguyenvana', 'một câu dài dễ nhớ');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie'][0]).toMatch(/^hatang_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ user: { username: 'nguyenvana' }, permissions: expect.arrayContaining(['inventory:write']) });
    expect(csrf).toMatch(/^[\w-]{32}$/);

    // The session reads within its scope: the district's device, not An Lão's.
    const devices = await t.as().get('/api/v1/devices').set('Cookie', cookie).expect(200);
    expect(devices.body.items.map((d: { serialNumber: string }) => d.serialNumber)).toEqual(['HERE-1']);
    expect((await t.as().get('/api/v1/session').set('Cookie', cookie).expect(200)).body.csrfToken).toBe(csrf);

    // A write with the cookie needs the CSRF token; without it nothing is written.
    const count = async () => (await t.http().get('/api/v1/devices').expect(200)).body.total as number;
    const before = await count();
    const forged = await t.as().post('/api/v1/devices').set('Cookie', cookie).send({ agencyId: agencyHere.id, kind: 'switch', commissionedOn: '2015-01-01' });
    expect(forged.status).toBe(403);
    expect(forged.body.detail).toMatch(/X-CSRF-Token/);
    expect(await count()).toBe(before);
    await t.as().post('/api/v1/devices').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ agencyId: agencyHere.id, kind: 'switch', commissionedOn: '2015-01-01' }).expect(201);
    // The audit log names the person.
    const audit = (await t.http().get('/api/v1/audit').query({ entityType: 'device', limit: 1 }).expect(200)).body.items[0];
    expect(audit.actor).toBe('Nguyễn Văn A');
    // Outside its scope, or beyond its role: refused.
    await t.as().post('/api/v1/devices').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ agencyId: agencyThere.id, kind: 'switch', commissionedOn: '2015-01-01' }).expect(403);
    await t.as().get('/api/v1/users').set('Cookie', cookie).expect(403);

    // Signing out ends the session.
    await t.as().delete('/api/v1/session').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    await t.as().get('/api/v1/devices').set('Cookie', cookie).expect(401);
  });

  it('ends the sessions of an account disabled or given a new password, and refuses its sign-in', async () => {
    const made = (await t.http().post('/api/v1/users').send({ username: 'planner1', displayName: 'Planner', password: 'kế hoạch năm 2026', role: 'planner' }).expect(201)).body;
    const { cookie } = await signIn('planner1', 'kế hoạch năm 2026');
    await t.as().get('/api/v1/plans').set('Cookie', cookie).expect(200);
    await t.http().patch(`/api/v1/users/${made.id}`).send({ disabled: true }).expect(200);
    await t.as().get('/api/v1/plans').set('Cookie', cookie).expect(401);
    expect((await t.as().post('/api/v1/session').send({ username: 'planner1', password: 'kế hoạch năm 2026' })).body.detail).toMatch(/disabled/);
    await t.http().patch(`/api/v1/users/${made.id}`).send({ disabled: false, password: 'một mật khẩu mới dài' }).expect(200);
    expect((await signIn('planner1', 'kế hoạch năm 2026')).res.status).toBe(401);
    expect((await signIn('planner1', 'một mật khẩu mới dài')).res.status).toBe(200);
  });

  it('refuses bad accounts field by field, and scopes beyond the creator\'s', async () => {
    const bad = await t.http().post('/api/v1/users').send({ username: 'A B', displayName: '', password: 'short', role: 'poller' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['displayName', 'password', 'role', 'username']);
    await t.http().post('/api/v1/users').send({ username: 'nguyenvana', displayName: 'x', password: 'a long enough pass', role: 'viewer' }).expect(400);
    const districtAdmin = await t.token({ role: 'admin', administrativeUnitId: district.id });
    const wide = await t.as(districtAdmin).post('/api/v1/users').send({ username: 'wide', displayName: 'x', password: 'a long enough pass', role: 'viewer' }).expect(403);
    expect(wide.body.errors[0].field).toBe('administrativeUnitId');
    // The district's admin sees the district's accounts only.
    const seen = (await t.as(districtAdmin).get('/api/v1/users').expect(200)).body.items.map((u: { username: string }) => u.username);
    expect(seen).toEqual(['nguyenvana']);
  });

  it('slows failed sign-ins as it slows failed tokens', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await t.as().post('/api/v1/session').send({ username: 'guess', password: `guess ${i}` })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses[0]).toBe(401);
  });
});
