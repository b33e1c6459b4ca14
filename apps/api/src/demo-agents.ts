import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type ChangeContext, DevicesService, EVERYWHERE } from '@app/inventory';
import { InterfacesService, SnmpProfilesService } from '@app/polling';
import { SimulatedDevice, type SimulatedNeighbour } from '@app/snmp';

export const DEMO_COMMUNITY = 'hatang-demo';
/** The demo agents' sysContact. */
export const DEMO_CONTACT = 'Phòng CNTT, Sở TT&TT tỉnh Bình Định';
export const DEMO_AGENT_PORT = 16161;
const AGENTS = 3;
const DEMO_INTERFACES = [
  { ifIndex: 1, up: true, speedMbps: 1000, name: 'Gi0/1', alias: 'WAN tỉnh (VNPT)', descr: 'GigabitEthernet0/1' },
  { ifIndex: 2, up: true, speedMbps: 1000, name: 'Gi0/2', alias: 'Tầng 1, phòng một cửa', descr: 'GigabitEthernet0/2' },
  { ifIndex: 3, up: false, speedMbps: 1000, name: 'Gi0/3', descr: 'GigabitEthernet0/3' },
  { ifIndex: 4, up: false, speedMbps: 1000, name: 'Gi0/4', descr: 'GigabitEthernet0/4', adminDown: true },
  { ifIndex: 10, up: true, speedMbps: 0, name: 'Vlan10', alias: 'Mạng nội bộ', descr: 'Vlan10', type: 136 },
];

export interface DemoAgents {
  /** The devices polled, with the port of each one's agent; the last one goes down now and then. */
  devices: Array<{ id: string; name: string | null; port: number }>;
  flapping: SimulatedDevice;
  stop(): Promise<void>;
}

/**
 * For `npm run demo`: three SNMP agents on 127.0.0.1 (the test simulator, net-snmp's agent) that
 * three of the demo province's network devices point at, so the fleet page, outages and
 * availability show something. The last one stops answering for `downSeconds` every
 * `everySeconds`. The first start gives the devices their profiles; later starts reuse them.
 * `basePort` 0 takes free ports (tests).
 */
export async function startDemoAgents(
  app: INestApplication,
  options: { basePort?: number; everySeconds?: number; downSeconds?: number; intervalSeconds?: number } = {},
): Promise<DemoAgents> {
  const ds = app.get<DataSource>(getDataSourceToken());
  const profiles = app.get(SnmpProfilesService);
  const ctx: ChangeContext = { actor: 'demo', source: 'seed', scope: EVERYWHERE };
  const basePort = options.basePort ?? DEMO_AGENT_PORT;
  const devices: Array<{ id: string; name: string | null; location: string; port: number }> = await ds.query(
    `SELECT d.id, COALESCE(d.name, d.model || ' ' || d.serial_number, d.serial_number, d.kind) AS name, a.name AS location, p.port
       FROM snmp_profile p JOIN device d ON d.id = p.device_id JOIN agency a ON a.id = d.agency_id WHERE d.management_address = '127.0.0.1' AND d.notes = 'demo SNMP agent' ORDER BY p.port`,
  );
  // What an admin sets on a device (sysLocation, sysContact): the poller reads them, the device list finds them.
  // and the interfaces a small branch switch lists (IF-MIB): the WAN uplink, a few access ports, a VLAN.
  const facts = (location: string) => ({ sysLocation: `Phòng máy, ${location}`, sysContact: DEMO_CONTACT, interfaces: DEMO_INTERFACES });
  // Over LLDP the first two hear each other (Gi0/2 of the first to Gi0/1 of the second), and the last hears an access point nobody registered.
  const lldp = (i: number, names: Array<string | null>): SimulatedNeighbour[] => {
    const mac = (n: number) => `00:1e:7a:00:00:${(0x10 + n).toString(16)}`;
    if (i === 0 && names.length > 1) return [{ localPortNum: 2, localPort: 'Gi0/2', chassisId: mac(1), sysName: names[1] ?? 'demo-2', portId: 'Gi0/1' }];
    if (i === 1) return [{ localPortNum: 1, localPort: 'Gi0/1', chassisId: mac(0), sysName: names[0] ?? 'demo-1', portId: 'Gi0/2' }];
    return [{ localPortNum: 2, localPort: 'Gi0/2', chassisId: '00:1e:7a:00:00:aa', sysName: 'ap-tang1', portId: 'eth0', portDescr: 'Wi-Fi tầng 1' }];
  };
  const agents: SimulatedDevice[] = [];
  if (devices.length === 0) {
    // Named devices first: LLDP neighbours are matched by name (sysName), and the demo's agents hear each other.
    const chosen: Array<{ id: string; name: string | null; location: string }> = await ds.query(
      `SELECT d.id, COALESCE(d.name, d.model || ' ' || d.serial_number, d.serial_number, d.kind) AS name, a.name AS location FROM device d JOIN agency a ON a.id = d.agency_id
        WHERE d.kind IN ('router', 'switch', 'firewall') AND d.status = 'active' ORDER BY d.name IS NULL, d.kind, d.serial_number NULLS LAST, d.id LIMIT ${AGENTS}`,
    );
    for (const [i, d] of chosen.entries()) {
      const names = chosen.map((c, n) => c.name ?? `demo-${n + 1}`);
      const agent = await SimulatedDevice.start({ communities: [DEMO_COMMUNITY], sysName: names[i], ...facts(d.location), neighbours: lldp(i, names), hostResources: true, port: basePort === 0 ? 0 : basePort + i });
      agents.push(agent);
      await app.get(DevicesService).update(d.id, { managementAddress: '127.0.0.1', notes: 'demo SNMP agent' } as never, ctx);
      await profiles.put(d.id, { version: '2c', community: DEMO_COMMUNITY, port: agent.port, intervalSeconds: options.intervalSeconds ?? 10, timeoutMs: 1000, retries: 1 } as never, ctx);
      devices.push({ ...d, port: agent.port });
    }
  } else {
    const names = devices.map((d, n) => d.name ?? `demo-${n + 1}`);
    for (const [i, d] of devices.entries()) agents.push(await SimulatedDevice.start({ communities: [DEMO_COMMUNITY], sysName: names[i], ...facts(d.location), neighbours: lldp(i, names), hostResources: true, port: d.port }));
  }
  const flapping = agents[agents.length - 1];
  const every = (options.everySeconds ?? 180) * 1000;
  const down = (options.downSeconds ?? 40) * 1000;
  const timers: NodeJS.Timeout[] = [];
  const cycle = setInterval(() => {
    flapping.goDown();
    timers.push(setTimeout(() => flapping.comeBack(), down).unref());
  }, every).unref();
  // Traffic on each agent's WAN uplink (Gi0/1), busier by day than by night: its counters move every
  // 5 s. Once the poller has listed the interfaces, Gi0/1 is marked monitored, so its traffic is kept.
  const octets = agents.map(() => ({ in: 0n, out: 0n }));
  const traffic = setInterval(() => {
    const hour = new Date(Date.now() + 7 * 3_600_000).getUTCHours() + new Date().getUTCMinutes() / 60;
    agents.forEach((agent, i) => {
      const inBps = (20 + 15 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + 3 * i + 2 * Math.random()) * 1e6;
      octets[i].in += BigInt(Math.round((inBps / 8) * 5));
      octets[i].out += BigInt(Math.round((inBps / 24) * 5));
      agent.setCounters(1, octets[i].in, octets[i].out);
    });
  }, 5_000).unref();
  let stopped = false;
  const marking = (async () => {
    for (let tries = 0; tries < 60 && !stopped; tries++) {
      const rows: Array<{ deviceId: string; id: string; monitored: boolean }> = await ds
        .query(`SELECT device_id AS "deviceId", id, monitored FROM device_interface WHERE name = 'Gi0/1' AND gone_at IS NULL AND device_id = ANY($1)`, [devices.map((d) => d.id)])
        .catch(() => []);
      for (const r of rows) if (!r.monitored) await app.get(InterfacesService).setMonitored(r.deviceId, r.id, true, ctx).catch(() => undefined);
      if (rows.length === devices.length) return;
      await new Promise((r) => setTimeout(r, 2_000).unref());
    }
  })();
  return {
    devices,
    flapping,
    stop: async () => {
      clearInterval(cycle);
      clearInterval(traffic);
      stopped = true;
      await marking;
      for (const t of timers) clearTimeout(t);
      await Promise.all(agents.map((a) => a.stop()));
    },
  };
}
