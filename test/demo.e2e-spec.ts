import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';
import { DemoSeed } from '@app/coverage';
import { DemoProvince, EVERYWHERE } from '@app/inventory';
import { Poller } from '@app/polling';
import { startDemoAgents } from '../apps/api/src/demo-agents';

describe.each(ENGINES)('demo province on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(engine);
    await t.app.get(DemoProvince).loadIfEmpty();
  });
  afterAll(async () => {
    await t.close();
  });

  it("has Bình Định's 11 district-level units and 155 generated communes", async () => {
    const districts = await t.http().get('/api/v1/administrative-units').query({ within: '52', level: 'district', limit: 50 }).expect(200);
    expect(districts.body.total).toBe(11);
    expect(districts.body.items.map((u: { code: string }) => u.code)).toEqual(['540', '542', '543', '544', '545', '546', '547', '548', '549', '550', '551']);
    const communes = await t.http().get('/api/v1/administrative-units').query({ within: '52', level: 'commune' }).expect(200);
    expect(communes.body.total).toBe(155);
    const anLao = await t.http().get('/api/v1/administrative-units').query({ within: '542', level: 'commune' }).expect(200);
    expect(anLao.body.total).toBe(10);
  });

  it('polls three demo devices at local SNMP agents, one of which goes down and comes back', async () => {
    const agents = await startDemoAgents(t.app, { basePort: 0, everySeconds: 6, downSeconds: 4, intervalSeconds: 1 });
    try {
      expect(agents.devices).toHaveLength(3);
      const state = async (id: string) => (await t.http().get(`/api/v1/devices/${id}/poll-state`)).body.state as string | undefined;
      const until = async (what: string, probe: () => Promise<boolean>) => {
        const deadline = Date.now() + 25_000;
        while (!(await probe())) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      // The API's in-process poller picks the profiles up on its next reload (forced here).
      await t.app.get(Poller).reload();
      await until('the three up', async () => (await Promise.all(agents.devices.map((d) => state(d.id)))).every((s) => s === 'up'));
      const flapping = agents.devices[2].id;
      await until('the flapping one down', async () => (await state(flapping)) === 'down');
      await until('the flapping one back', async () => (await state(flapping)) === 'up');
      const outages = (await t.http().get(`/api/v1/devices/${flapping}/outages`).query({ from: new Date(Date.now() - 600_000).toISOString() })).body.items;
      expect(outages.some((o: { cause: string; endedAt: string | null }) => o.cause === 'unreachable')).toBe(true);
      const fleet = (await t.http().get('/api/v1/poller/state')).body;
      expect(fleet.devices.up + fleet.devices.down).toBe(3);
    } finally {
      await agents.stop();
    }
  }, 60_000);

  it('does not load twice', async () => {
    expect(await t.app.get(DemoProvince).loadIfEmpty()).toBeNull();
  });

  it('has commune committees whose LANs differ by district and by year', async () => {
    const complete = async (unit: string, year: number) =>
      (await t.http().get('/api/v1/lans').query({ administrativeUnit: unit, complete: true, activeOn: `${year}-12-31` })).body.total as number;
    // Quy Nhơn (540) is ahead of Vân Canh (551); counts grow from 2011 to 2015 somewhere.
    const quyNhon = [await complete('540', 2011), await complete('540', 2015)];
    const vanCanh = await complete('551', 2015);
    expect(quyNhon[1]).toBeGreaterThan(quyNhon[0]);
    expect(quyNhon[1]).toBeGreaterThan(vanCanh);
  });
});

describe('a second demo start', () => {
  it('loads nothing and finds the demo plan again, so it can print the coverage address', async () => {
    const t = await startApp('pglite');
    try {
      const ctx = { actor: 'demo', source: 'seed' as const, scope: EVERYWHERE };
      const first = await t.app.get(DemoSeed).loadIfEmpty(ctx);
      expect(first?.plan.documentNumber).toBe('647/QĐ-UBND');
      expect(await t.app.get(DemoSeed).loadIfEmpty(ctx)).toBeNull();
      expect(await t.app.get(DemoSeed).existingPlan()).toEqual(first!.plan);
      await t.http().get(`/api/v1/plans/${first!.plan.id}/coverage`).expect(200);
    } finally {
      await t.close();
    }
  }, 60_000);
});
