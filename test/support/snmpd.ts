import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's snmpd on 127.0.0.1 and ::1 (same port), with a v2c community and three v3 users, for the poller's tests. */
export const SNMPD = {
  community: 'hatangtest',
  privUser: { name: 'hatangpriv', authProtocol: 'sha256' as const, authKey: 'authpass123', privProtocol: 'aes' as const, privKey: 'privpass123' },
  authUser: { name: 'hatangauth', authProtocol: 'sha' as const, authKey: 'authpass456' },
  /** AES-256 with Blumenthal's key extension: what net-snmp's snmpd calls AES-256. */
  aes256User: { name: 'hatang256', authProtocol: 'sha512' as const, authKey: 'authpass789', privProtocol: 'aes256b' as const, privKey: 'privpass789' },
  sysName: 'snmpd-under-test',
  sysLocation: 'Phòng máy chủ, tầng 2, Sở TT&TT',
  sysContact: 'Nguyễn Văn Hòa <hoa@stttt.gov.vn>',
};

export interface RunningSnmpd {
  port: number;
  stop(): Promise<void>;
}

export async function startSnmpd(): Promise<RunningSnmpd> {
  const found = spawnSync('sh', ['-c', 'command -v snmpd || ls /usr/sbin/snmpd'], { encoding: 'utf8' });
  const binary = found.stdout.trim().split('\n')[0];
  if (!binary) throw new Error('snmpd is not installed: apt-get install snmpd (.ci/run installs it)');
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'hatang-snmpd-'));
  writeFileSync(
    join(dir, 'snmpd.conf'),
    [
      `agentaddress udp:127.0.0.1:${port},udp6:[::1]:${port}`,
      `rocommunity ${SNMPD.community} 127.0.0.1`,
      `rocommunity6 ${SNMPD.community} ::1`,
      `createUser ${SNMPD.privUser.name} SHA-256 "${SNMPD.privUser.authKey}" AES "${SNMPD.privUser.privKey}"`,
      `createUser ${SNMPD.authUser.name} SHA "${SNMPD.authUser.authKey}"`,
      `createUser ${SNMPD.aes256User.name} SHA-512 "${SNMPD.aes256User.authKey}" AES-256 "${SNMPD.aes256User.privKey}"`,
      `rouser ${SNMPD.privUser.name} priv`,
      `rouser ${SNMPD.authUser.name} auth`,
      `rouser ${SNMPD.aes256User.name} priv`,
      `sysName ${SNMPD.sysName}`,
      `sysLocation ${SNMPD.sysLocation}`,
      `sysContact ${SNMPD.sysContact}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-r', '-M', '/nonexistent'], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const deadline = Date.now() + 10_000;
  while (!/NET-SNMP version/.test(output)) {
    if (child.exitCode !== null) throw new Error(`snmpd exited (${child.exitCode}): ${output}`);
    if (Date.now() > deadline) throw new Error(`snmpd did not start in 10 s: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
