import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlertEvaluator, Outbox } from '@app/alerting';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';
import { type ReceivedMail, startSmtp, startWebhook } from './support/receivers';
import { sleep, until } from './support/wait';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const SECRET = 'webhook-secret-of-binh-dinh';

/** Rules, incidents, notices by e-mail and webhook, reminders, acknowledgement, maintenance, recovery. */
describe.each(ENGINES)('alerts on %s', (engine) => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  let router: SimulatedDevice;
  let server: SimulatedDevice;
  let agencyId: string;
  let communeId: string;
  let emailId: string;
  let webhookId: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    hook = await startWebhook(2);
    router = await SimulatedDevice.start({ communities: ['public'], sysName: 'router-nhon-chau' });
    server = await SimulatedDevice.start({ communities: ['public'], sysName: 'server-dc' });
    t = await startApp(engine, { SMTP_URL: smtp.url, SMTP_FROM: 'Hatang Bình Định <hatang@binhdinh.gov.vn>', ALERTS_EVALUATE_SECONDS: '1', ALERTS_RETRY_SECONDS: '1' });
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    communeId = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0].id;
    agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: communeId }).expect(201)).body.id;
    emailId = (await t.http().post('/api/v1/alerts/channels').send({ name: 'Quản trị mạng', kind: 'email', recipients: ['netadmin@binhdinh.gov.vn'] }).expect(201)).body.id;
    webhookId = (await t.http().post('/api/v1/alerts/channels').send({ name: 'Zalo bridge', kind: 'webhook', url: hook.url, secret: SECRET }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await router?.stop();
    await server?.stop();
    await smtp?.stop();
    await hook?.stop();
  });

  const device = async (name: string, port: number, kind = 'router') => {
    const d = (await t.http().post('/api/v1/devices').send({ agencyId, kind, name, status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
    await t.http().put(`/api/v1/devices/${d.id}/snmp`).send({ version: '2c', community: 'public', port, intervalSeconds: 1, timeoutMs: 300, retries: 0 }).expect(200);
    return d as { id: string };
  };
  const incidents = async (q: Record<string, string> = {}) => (await t.http().get('/api/v1/alerts/incidents').query(q).expect(200)).body.items as Array<Record<string, unknown>>;
  const mailsOf = (id: string): ReceivedMail[] => smtp.mails.filter((m) => m.text.includes(id) || m.subject.includes(id));

  it('refuses rules and channels that cannot work, saying which field, and stores nothing', async () => {
    const before = (await t.http().get('/api/v1/alerts/rules').expect(200)).body.total;
    const noMinutes = await t.http().post('/api/v1/alerts/rules').send({ name: 'x', kind: 'device_down', channelIds: [emailId] }).expect(400);
    expect(noMinutes.body.errors).toEqual([expect.objectContaining({ field: 'minutes', message: 'a device_down rule needs minutes' })]);
    const wrong = await t.http().post('/api/v1/alerts/rules').send({ name: 'x', kind: 'poller_silent', pollerGroup: 'default', minutes: 5, deviceKind: 'router', days: 3, channelIds: [emailId] }).expect(400);
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['days', 'deviceKind']);
    const ghost = await t.http().post('/api/v1/alerts/rules').send({ name: 'x', kind: 'device_down', minutes: 1, channelIds: ['00000000-0000-4000-8000-000000000000'] }).expect(422);
    expect(ghost.body.errors[0]).toMatchObject({ field: 'channelIds[0]', message: 'no such channel within your scope' });
    const noSecret = await t.http().post('/api/v1/alerts/channels').send({ name: 'x', kind: 'webhook', url: 'http://127.0.0.1:9/x' }).expect(400);
    expect(noSecret.body.errors[0].field).toBe('secret');
    const badMail = await t.http().post('/api/v1/alerts/channels').send({ name: 'x', kind: 'email', recipients: ['not an address'] }).expect(400);
    expect(badMail.body.errors[0].field).toBe('recipients');
    expect((await t.http().get('/api/v1/alerts/rules').expect(200)).body.total).toBe(before);
    // The webhook's secret is never shown.
    const channels = (await t.http().get('/api/v1/alerts/channels').expect(200)).body.items;
    expect(channels.find((c: { id: string }) => c.id === webhookId)).toMatchObject({ hasSecret: true, url: hook.url });
    expect(JSON.stringify(channels)).not.toContain(SECRET);
    // A channel's kind stays; its other fields change, checked as on creation; the secret stays hidden.
    await t.http().patch(`/api/v1/alerts/channels/${webhookId}`).send({ kind: 'email' }).expect(400);
    expect((await t.http().patch(`/api/v1/alerts/channels/${emailId}`).send({ recipients: ['x'] }).expect(400)).body.errors[0].field).toBe('recipients');
    expect((await t.http().patch(`/api/v1/alerts/channels/${webhookId}`).send({ name: 'Zalo bridge (Sở TT&TT)' }).expect(200)).body).toMatchObject({ name: 'Zalo bridge (Sở TT&TT)', hasSecret: true, url: hook.url });
    await t.http().patch(`/api/v1/alerts/channels/${webhookId}`).send({ name: 'Zalo bridge' }).expect(200);
    // A test notice, sent now, with the SMTP server's answer; nothing stored.
    const tried = (await t.http().post(`/api/v1/alerts/channels/${emailId}/test`).expect(200)).body;
    expect(tried).toMatchObject({ ok: true, error: null, response: expect.stringMatching(/^250 /) });
    const mail = await until('the test e-mail', () => smtp.mails.find((m) => m.subject.startsWith('[Hatang] THỬ: kênh thông báo này nhận được thông báo của Hatang (Test admin gửi thử)')));
    expect(mail.to).toEqual(['netadmin@binhdinh.gov.vn']);
    expect((await t.http().get('/api/v1/alerts/status').expect(200)).body.outbox).toMatchObject({ pending: 0, sent: 0 });
  });

  it('opens one incident when a device goes down, notifies each channel once (the webhook after two refusals), reminds until acknowledged, and sends one recovery', async () => {
    const d = await device('Router UBND Nhơn Châu', router.port);
    const rule = (await t.http().post('/api/v1/alerts/rules').send({ name: 'Mất kết nối xã', kind: 'device_down', minutes: 0, agencyId, deviceKind: 'router', reminderMinutes: 30, channelIds: [emailId, webhookId] }).expect(201)).body;
    expect(rule.channelIds).toEqual([emailId, webhookId].sort());
    await until('the router up', async () => (await t.http().get(`/api/v1/devices/${d.id}/poll-state`)).body.state === 'up');

    router.goDown();
    const [incident] = await until('an open incident', async () => {
      const list = await incidents({ state: 'open', deviceId: d.id });
      return list.length > 0 && list;
    });
    expect(incident).toMatchObject({ ruleId: rule.id, kind: 'device_down', deviceId: d.id, resolvedAt: null, acknowledgedAt: null, silenced: false });
    expect(incident.summary).toMatch(/^Router UBND Nhơn Châu \(UBND xã Nhơn Châu\) mất kết nối từ \d\d\/\d\d\/\d{4} \d\d:\d\d$/);

    const mail = await until('the e-mail', () => smtp.mails.find((m) => m.delivery && m.subject.includes('Router UBND')));
    expect(mail.subject).toBe(`[Hatang] SỰ CỐ: ${incident.summary}`);
    expect(mail.to).toEqual(['netadmin@binhdinh.gov.vn']);
    expect(mail.from).toContain('hatang@binhdinh.gov.vn');
    expect(mail.text).toContain('Quy tắc: Mất kết nối xã (thiết bị mất kết nối)');
    expect(mail.text).toContain('Cơ quan: UBND xã Nhơn Châu');
    expect(mail.messageId).toBe(`<${mail.delivery}@hatang>`);

    // The receiver answers 503 twice; the third attempt (a second, then two seconds later) gets through.
    const delivered = await until('the webhook delivered', () => hook.hooks.filter((h) => h.answered === 200).length === 1 && hook.hooks.find((h) => h.answered === 200));
    expect(hook.hooks.map((h) => h.answered)).toEqual([503, 503, 200]);
    expect(new Set(hook.hooks.map((h) => h.headers['x-hatang-delivery'])).size).toBe(1);
    expect(delivered.headers['x-hatang-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(delivered.raw).digest('hex')}`);
    expect(delivered.body).toMatchObject({ event: 'open', text: `SỰ CỐ: ${incident.summary}`, incident: { id: incident.id, kind: 'device_down', deviceId: d.id, agency: 'UBND xã Nhơn Châu' } });

    const deliveries = (await t.http().get(`/api/v1/alerts/incidents/${incident.id}/deliveries`).expect(200)).body.items as Array<{ channelId: string; status: string; attempts: number; attemptsList: Array<{ ok: boolean; response: string | null }> }>;
    const byChannel = Object.fromEntries(deliveries.map((x) => [x.channelId, x]));
    expect(byChannel[emailId]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(byChannel[webhookId]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(byChannel[webhookId].attemptsList.map((a) => [a.ok, a.response])).toEqual([
      [false, 'HTTP 503 busy, try later'],
      [false, 'HTTP 503 busy, try later'],
      [true, 'HTTP 200 ok'],
    ]);

    // Half an hour later, still down and nobody has it in hand: one reminder on each channel.
    const evaluator = t.app.get(AlertEvaluator);
    const outbox = t.app.get(Outbox);
    const later = new Date(Date.now() + 31 * 60_000);
    await until('the reminder stored', async () => (await evaluator.evaluate(later))?.reminded === 1);
    await outbox.drain();
    await until('the reminder sent', () => smtp.mails.some((m) => m.subject.startsWith('[Hatang] NHẮC LẠI (lần 1): Router UBND')));
    expect((await t.http().get(`/api/v1/alerts/incidents/${incident.id}`).expect(200)).body).toMatchObject({ reminders: 1 });

    const ack = await t.http().post(`/api/v1/alerts/incidents/${incident.id}/acknowledge`).expect(200);
    expect(ack.body).toMatchObject({ acknowledgedBy: 'Test admin' });
    expect(Date.now() - Date.parse(ack.body.acknowledgedAt)).toBeLessThan(10_000);
    const again = await t.http().post(`/api/v1/alerts/incidents/${incident.id}/acknowledge`).expect(409);
    expect(again.body.detail).toContain('already acknowledged by Test admin');
    // Acknowledged: an hour later there is no second reminder.
    expect((await evaluator.evaluate(new Date(Date.now() + 65 * 60_000)))?.reminded ?? 0).toBe(0);

    router.comeBack();
    const resolved = await until('the incident resolved', async () => {
      const i = (await t.http().get(`/api/v1/alerts/incidents/${incident.id}`).expect(200)).body;
      return i.resolvedAt !== null && i;
    });
    expect(Date.parse(resolved.resolvedAt)).toBeGreaterThan(Date.parse(resolved.openedAt));
    const recovery = await until('the recovery e-mail', () => smtp.mails.find((m) => m.subject.startsWith('[Hatang] ĐÃ KHẮC PHỤC: Router UBND')));
    expect(recovery.text).toMatch(/Thời gian gián đoạn: \d+ (giây|phút)/);
    await until('the recovery webhook', () => hook.hooks.some((h) => h.answered === 200 && h.body.event === 'recovery'));
    await sleep(2500);
    // Exactly: notice, reminder, recovery on each channel; never one twice.
    const routerMails = smtp.mails.filter((m) => m.subject.includes('Router UBND'));
    expect(routerMails.map((m) => m.subject.split(':')[0])).toEqual(['[Hatang] SỰ CỐ', '[Hatang] NHẮC LẠI (lần 1)', '[Hatang] ĐÃ KHẮC PHỤC']);
    expect(new Set(routerMails.map((m) => m.delivery)).size).toBe(3);
    const ok = hook.hooks.filter((h) => h.answered === 200);
    expect(ok.map((h) => h.body.event)).toEqual(['open', 'reminder', 'recovery']);
    expect(new Set(ok.map((h) => h.headers['x-hatang-delivery'])).size).toBe(3);
    expect(mailsOf('nothing-else')).toEqual([]);
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/hatang_alert_notice_attempts_total\{kind="webhook",result="failed"\} 2\b/);
    expect(metrics).toMatch(/hatang_alert_incidents_total\{event="opened"\} [1-9]/);
  }, 90_000);

  it('keeps quiet during maintenance: the incident is recorded, silenced, and nothing is sent, nor its recovery', async () => {
    const d = await device('Server trung tâm dữ liệu', server.port, 'server');
    const rule = (await t.http().post('/api/v1/alerts/rules').send({ name: 'Máy chủ', kind: 'device_down', minutes: 0, deviceKind: 'server', channelIds: [emailId] }).expect(201)).body;
    await until('the server up', async () => (await t.http().get(`/api/v1/devices/${d.id}/poll-state`)).body.state === 'up');
    const now = Date.now();
    await t.http().post('/api/v1/maintenance-windows').send({ deviceId: d.id, startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), reason: 'Thay ổ cứng' }).expect(201);
    const sent = smtp.mails.length;
    server.goDown();
    const [incident] = await until('a silenced incident', async () => {
      const list = await incidents({ state: 'open', ruleId: rule.id });
      return list.length > 0 && list;
    });
    expect(incident).toMatchObject({ silenced: true, lastNotifiedAt: null });
    server.comeBack();
    await until('resolved', async () => (await t.http().get(`/api/v1/alerts/incidents/${incident.id}`)).body.resolvedAt !== null);
    await sleep(1500);
    expect(smtp.mails.length).toBe(sent);
    expect((await t.http().get(`/api/v1/alerts/incidents/${incident.id}/deliveries`).expect(200)).body.total).toBe(0);
  }, 60_000);

  it('announces an incident silenced by maintenance once the window is over, if it still lasts', async () => {
    const d = (await t.http().get('/api/v1/devices').query({ q: 'Server trung tâm dữ liệu' }).expect(200)).body.items[0] as { id: string };
    // The previous test's hour-long window goes; a window of a few seconds takes its place.
    for (const w of (await t.http().get('/api/v1/maintenance-windows').query({ deviceId: d.id }).expect(200)).body.items) await t.http().delete(`/api/v1/maintenance-windows/${w.id}`).expect(204);
    const now = Date.now();
    await t.http().post('/api/v1/maintenance-windows').send({ deviceId: d.id, startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 4000).toISOString(), reason: 'Khởi động lại' }).expect(201);
    const sent = smtp.mails.length;
    server.goDown();
    const incident = await until('a silenced incident', async () => (await incidents({ state: 'open', deviceId: d.id })).find((i) => i.silenced === true));
    expect(smtp.mails.length).toBe(sent);
    // The window ends with the server still down: the notice goes out then.
    const mail = await until('the late notice', () => smtp.mails.find((m) => m.subject === `[Hatang] SỰ CỐ: ${incident.summary}`), 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(now + 4000);
    expect(mail.text).toContain('Máy chủ');
    expect((await t.http().get(`/api/v1/alerts/incidents/${incident.id}`).expect(200)).body).toMatchObject({ silenced: false });
    server.comeBack();
    await until('the recovery', () => smtp.mails.find((m) => m.subject.startsWith('[Hatang] ĐÃ KHẮC PHỤC: Server trung tâm dữ liệu')));
  }, 60_000);

  it('gives up at once on a webhook that refuses the notice (a 4xx), and says why; another channel of the rule is not held back', async () => {
    const refusing = await startWebhook(1000, 410);
    try {
      const gone = (await t.http().post('/api/v1/alerts/channels').send({ name: 'Webhook đã gỡ', kind: 'webhook', url: refusing.url, secret: 'another-secret-0123456789' }).expect(201)).body.id;
      const d = await device('Router Ghềnh Ráng', router.port);
      const rule = (await t.http().post('/api/v1/alerts/rules').send({ name: 'Ghềnh Ráng', kind: 'device_down', minutes: 0, agencyId, deviceKind: 'router', channelIds: [gone, emailId] }).expect(201)).body;
      await until('the router up', async () => (await t.http().get(`/api/v1/devices/${d.id}/poll-state`)).body.state === 'up');
      router.goDown();
      const incident = await until('the incident', async () => (await incidents({ state: 'open', ruleId: rule.id }))[0]);
      const failed = await until('the webhook given up', async () => {
        const items = (await t.http().get(`/api/v1/alerts/incidents/${incident.id}/deliveries`).expect(200)).body.items as Array<{ channelId: string; status: string; attempts: number; lastError: string | null }>;
        return items.find((x) => x.channelId === gone && x.status === 'failed') && items;
      });
      expect(failed.find((x) => x.channelId === gone)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'the receiver answered 410' });
      expect(failed.find((x) => x.channelId === emailId)).toMatchObject({ status: 'sent' });
      await sleep(2500);
      // Sent once and never retried (the other router on the same agent fires the rule too: its own one attempt).
      expect(refusing.hooks.filter((h) => (h.body.incident as { id: string }).id === incident.id)).toHaveLength(1);
      expect(new Set(refusing.hooks.map((h) => h.headers['x-hatang-delivery'])).size).toBe(refusing.hooks.length);
      router.comeBack();
      await until('resolved', async () => (await t.http().get(`/api/v1/alerts/incidents/${incident.id}`)).body.resolvedAt !== null);
      await t.http().delete(`/api/v1/alerts/rules/${rule.id}`).expect(204);
    } finally {
      await refusing.stop();
    }
  }, 60_000);

  it('shows a district\'s admin only the rules, channels and incidents of its district', async () => {
    const elsewhere = (await t.http().get('/api/v1/administrative-units').query({ code: '542' })).body.items[0];
    const district = await t.token({ role: 'network_admin', administrativeUnitId: elsewhere.id, owner: 'Admin huyện khác' });
    const channel = (await t.as(district).post('/api/v1/alerts/channels').send({ name: 'Huyện khác', kind: 'email', recipients: ['huyen@example.gov.vn'] }).expect(201)).body;
    expect((await t.as(district).get('/api/v1/alerts/channels').expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([channel.id]);
    expect((await t.as(district).get('/api/v1/alerts/rules').expect(200)).body.total).toBe(0);
    expect((await t.as(district).get('/api/v1/alerts/incidents').expect(200)).body.total).toBe(0);
    // Its rule may not name an agency of another district, nor a channel it cannot see.
    const outside = await t.as(district).post('/api/v1/alerts/rules').send({ name: 'x', kind: 'device_down', minutes: 1, agencyId, channelIds: [emailId] }).expect(422);
    expect(outside.body.errors.map((e: { field: string }) => e.field)).toEqual(['agencyId', 'channelIds[0]']);
    const [someIncident] = await incidents();
    await t.as(district).get(`/api/v1/alerts/incidents/${someIncident.id}`).expect(404);
    await t.as(district).post(`/api/v1/alerts/incidents/${someIncident.id}/acknowledge`).expect(404);
    const viewer = await t.token({ role: 'viewer' });
    await t.as(viewer).post(`/api/v1/alerts/incidents/${someIncident.id}/acknowledge`).expect(403);
  });
});

/** Each kind of rule fires on what it watches, and only on it; evaluated here by hand at chosen moments. */
describe.each(ENGINES)('alert rules of every kind on %s', (engine) => {
  let t: TestApp;
  let evaluator: AlertEvaluator;
  let link: SimulatedDevice;
  let dc: SimulatedDevice;
  let agencyId: string;
  let channelId: string;

  beforeAll(async () => {
    link = await SimulatedDevice.start({ communities: ['public'], sysName: 'router-wan', interfaces: [{ ifIndex: 2, up: true, speedMbps: 100 }] });
    dc = await SimulatedDevice.start({ communities: ['public'], sysName: 'dc-server' });
    // The timer evaluates once at start, then waits an hour: every evaluation below is the test's own.
    t = await startApp(engine, { ALERTS_EVALUATE_SECONDS: '3600', ALERTS_DELIVER: 'false' });
    evaluator = t.app.get(AlertEvaluator);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
    channelId = (await t.http().post('/api/v1/alerts/channels').send({ name: 'Quản trị', kind: 'email', recipients: ['a@b.vn'] }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await link?.stop();
    await dc?.stop();
  });

  const device = async (body: Record<string, unknown>, snmp: Record<string, unknown>, before?: (id: string) => Promise<unknown>) => {
    const d = (await t.http().post('/api/v1/devices').send({ agencyId, status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1', ...body }).expect(201)).body;
    await before?.(d.id);
    await t.http().put(`/api/v1/devices/${d.id}/snmp`).send({ version: '2c', community: 'public', timeoutMs: 300, retries: 0, ...snmp }).expect(200);
    return d as { id: string };
  };
  const rule = async (body: Record<string, unknown>) => (await t.http().post('/api/v1/alerts/rules').send({ channelIds: [channelId], ...body }).expect(201)).body as { id: string };
  const openOf = async (ruleId: string) => (await t.http().get('/api/v1/alerts/incidents').query({ ruleId, state: 'open' }).expect(200)).body.items as Array<{ subject: string; summary: string; deviceId: string | null; ifIndex: number | null }>;

  it('interface down, poller silent, not polled, availability below target', async () => {
    // A WAN link's interface goes down: an interface_down outage, then an incident for that interface.
    // The link is registered before the profile: the poller reads its interface from its first poll.
    const router = await device({ kind: 'router', name: 'Router WAN' }, { port: link.port, intervalSeconds: 1 }, (id) =>
      t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 100, provider: 'VNPT', circuitId: 'BDH-0001', deviceId: id, ifIndex: 2, commissionedOn: '2024-01-01' }).expect(201),
    );
    const ifRule = await rule({ name: 'Cổng WAN', kind: 'interface_down', minutes: 0 });
    await until('the router up', async () => (await t.http().get(`/api/v1/devices/${router.id}/poll-state`)).body.state === 'up');
    link.setInterface(2, false);
    await until('the interface outage', async () => (await t.ds.query(`SELECT 1 FROM outage WHERE device_id = $1 AND cause = 'interface_down' AND ended_at IS NULL`, [router.id])).length === 1);
    await evaluator.evaluate();
    const [ifIncident] = await openOf(ifRule.id);
    expect(ifIncident).toMatchObject({ subject: `${router.id}#2`, deviceId: router.id, ifIndex: 2 });
    expect(ifIncident.summary).toMatch(/^Cổng 2 của Router WAN \(đường truyền VNPT BDH-0001\) ngừng hoạt động từ /);
    link.setInterface(2, true);
    await until('the interface outage closed', async () => (await t.ds.query(`SELECT 1 FROM outage WHERE device_id = $1 AND cause = 'interface_down' AND ended_at IS NULL`, [router.id])).length === 0);
    await evaluator.evaluate();
    expect(await openOf(ifRule.id)).toEqual([]);

    // Poller groups: one no poller ever ran; the in-process one beats every 15 s, so it is silent only once 2 minutes pass without a beat.
    const never = await rule({ name: 'Nhóm Phù Cát', kind: 'poller_silent', pollerGroup: 'phu-cat', minutes: 5 });
    const here = await rule({ name: 'Nhóm mặc định', kind: 'poller_silent', pollerGroup: 'default', minutes: 2 });
    await evaluator.evaluate();
    expect((await openOf(never.id)).map((i) => i.summary)).toEqual(['Nhóm thu thập "phu-cat" chưa từng báo về']);
    expect(await openOf(here.id)).toEqual([]);
    await evaluator.evaluate(new Date(Date.now() + 3 * 60_000));
    expect((await openOf(here.id)).map((i) => i.subject)).toEqual(['group:default']);
    await evaluator.evaluate();
    expect(await openOf(here.id)).toEqual([]);

    // Not polled: a switch in a group no poller polls, every 60 s; after 2 intervals (plus) it fires, not before.
    const sw = await device({ kind: 'switch', name: 'Switch không ai thăm dò' }, { port: link.port, intervalSeconds: 60, pollerGroup: 'phu-cat' });
    const notPolled = await rule({ name: 'Không thăm dò', kind: 'not_polled', intervals: 2, deviceKind: 'switch' });
    await evaluator.evaluate(new Date(Date.now() + 60_000));
    expect(await openOf(notPolled.id)).toEqual([]);
    await evaluator.evaluate(new Date(Date.now() + 150_000));
    expect((await openOf(notPolled.id)).map((i) => i.deviceId)).toEqual([sw.id]);
    // A device the live in-process poller keeps up with is not named (the router, a 1 s interval).
    const routersToo = await rule({ name: 'Router không thăm dò', kind: 'not_polled', intervals: 3, deviceKind: 'router' });
    await evaluator.evaluate();
    expect(await openOf(routersToo.id)).toEqual([]);

    // Availability: a data-centre server down for about a third of its watched time, against a 99.9% target.
    const server = await device({ kind: 'server', name: 'Máy chủ TTDL', dataCentre: 'TTDL tỉnh Bình Định' }, { port: dc.port, intervalSeconds: 1 });
    await until('the server up', async () => (await t.http().get(`/api/v1/devices/${server.id}/poll-state`)).body.state === 'up');
    await sleep(2000);
    dc.goDown();
    await until('the server down', async () => (await t.http().get(`/api/v1/devices/${server.id}/poll-state`)).body.state === 'down');
    await sleep(1000);
    dc.comeBack();
    await until('the server up again', async () => (await t.http().get(`/api/v1/devices/${server.id}/poll-state`)).body.state === 'up');
    const avail = await rule({ name: 'TTDL 24/7', kind: 'availability_below', days: 30, targetPercent: 99.9, dataCentre: 'TTDL tỉnh Bình Định' });
    const lenient = await rule({ name: 'TTDL dễ', kind: 'availability_below', days: 30, targetPercent: 10, dataCentre: 'TTDL tỉnh Bình Định' });
    await evaluator.evaluate(new Date(), true);
    const measured = (await t.http().get(`/api/v1/devices/${server.id}/availability`).query({ from: new Date(Date.now() - 30 * 86_400_000).toISOString() }).expect(200)).body.availabilityPercent;
    expect(measured).toBeLessThan(99.9);
    const [below] = await openOf(avail.id);
    expect(below.deviceId).toBe(server.id);
    expect(below.summary).toMatch(/^Máy chủ TTDL sẵn sàng [\d,]+% trong 30 ngày qua, dưới mục tiêu 99,9%$/);
    expect(await openOf(lenient.id)).toEqual([]);
  }, 90_000);

  it('not polled: a live poller whose polls of a device take longer than two intervals reports it at its beat', async () => {
    const slow = await SimulatedDevice.start({ communities: ['public'], sysName: 'slow' });
    try {
      slow.goDown();
      // Every poll waits 5 s for an answer that never comes, at a 1 s interval: the poller falls behind on it.
      const d = await device({ kind: 'firewall', name: 'Tường lửa chậm' }, { port: slow.port, intervalSeconds: 1, timeoutMs: 5000 });
      const r = await rule({ name: 'Tường lửa không được thăm dò', kind: 'not_polled', intervals: 3, deviceKind: 'firewall' });
      const overdue = await until(
        'a beat naming the device',
        async () => ((await t.ds.query(`SELECT overdue FROM poller_run WHERE stopped_at IS NULL AND overdue ? $1`, [d.id])) as unknown[]).length > 0,
        30_000,
      );
      expect(overdue).toBe(true);
      await evaluator.evaluate();
      const [incident] = await openOf(r.id);
      expect(incident.deviceId).toBe(d.id);
      // Before its first 5 s poll has ended the device has never been polled; after, its last poll is named.
      expect(incident.summary).toMatch(/^Tường lửa chậm \(UBND xã Nhơn Châu\) (không được thăm dò từ \d\d\/\d\d\/\d{4} \d\d:\d\d|chưa từng được thăm dò) \(quá 3 chu kỳ 1 giây\)$/);
    } finally {
      await slow.stop();
    }
  }, 60_000);
});
