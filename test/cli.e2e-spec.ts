import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * The CLI as an admin runs it, on its default engine (embedded PGlite under DATA_DIR): a process
 * per command, exit codes and output checked. The data layer under it is tested on both engines
 * by the API tests.
 */
describe('cli import and export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hatang-cli-'));
  const cli = async (...args: string[]) => cliIn('db', ...args);
  const cliIn = async (db: string, ...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: join(dir, db), DATABASE_URL: '', NODE_OPTIONS: '' },
        maxBuffer: 64 << 20,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const file = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n'));
    return path;
  };
  const devicesNamed = async (q: string) => (await cli('export', 'devices', '--filter', `q=${q}`)).stdout.trim().split('\n').length - 1;

  beforeAll(async () => {
    expect((await cli('import-units', join(__dirname, 'fixtures/dvhcvn-small.json'))).code).toBe(0);
    const agencies = await cli(
      'import',
      'agencies',
      file('agencies.csv', ['code,name,kind,administrativeUnitCode', 'UBND-21550,Ủy ban nhân dân phường Nhơn Bình,commune_committee,21550']),
    );
    expect(agencies).toMatchObject({ code: 0 });
    expect(agencies.stdout).toContain('Created 1, updated 0, 0 unchanged, of 1 rows');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pcs = Array.from({ length: 2500 }, (_, i) => `UBND-21550,workstation,PC ${i},PCX${String(i).padStart(5, '0')},active,2014-03-01`);

  it('migrates an empty database (the first command of a production deployment)', async () => {
    const first = await cliIn('empty', 'migrate');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/^Applied Inventory1763800000000, Coverage1763900000000, Polling1764000000000, Access1764100000000, PollerTruth1764200000000, Accounts1764300000000, Boundaries1764400000000, InventoryVersion1764500000000, Alerts1764600000000, Successions1764700000000, Placements1764800000000, MovesOut1764900000000, DeviceFacts1765000000000, ChassisProblem1765100000000, Interfaces1765200000000, MonitoredInterfaces1765300000000, LinkInterfaceNames1765400000000, Traffic1765500000000, MeasuredCapacity1765600000000, Discovery1765700000000, Neighbours1765800000000, TrafficWithoutForeignKeys1765900000000\n$/);
    expect((await cliIn('empty', 'migrate')).stdout).toBe('Database is up to date\n');
  }, 60_000);

  it('rejects a file with a bad row, naming row and column, exits 1 and writes nothing', async () => {
    const bad = file('bad.csv', ['agencyCode,kind,name,serialNumber,status,commissionedOn', ...pcs.slice(0, 3), 'UBND-21550,router,R,PCX99999,active,2015-02-30']);
    const res = await cli('import', 'devices', bad);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Nothing was imported: 1 row(s) have problems');
    expect(res.stderr).toMatch(/row 5, commissionedOn: /);
    expect(await devicesNamed('PCX')).toBe(0);
  }, 30_000);

  it('dry-runs with progress, then imports, then exports with filters', async () => {
    const good = file('pcs.csv', ['agencyCode,kind,name,serialNumber,status,commissionedOn', ...pcs]);
    const dry = await cli('import', 'devices', good, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run, nothing written: would create 2500, update 0, 0 unchanged, of 2500 rows');
    // It says what it would create, row by row (the first 50), by serial number.
    expect(dry.stdout).toMatch(/^ {2}row 2: create PCX\d+$/m);
    expect(dry.stdout).toMatch(/^ {2}row 51: create PCX\d+$/m);
    expect(dry.stdout).toContain('  … and 2450 more to create');
    // Progress on the way (every 500 rows checked, at most four lines a second), then the end.
    expect(dry.stderr).toMatch(/^checked (500|1,000|1,500|2,000)\/2,500 rows \((20|40|60|80)%\)/m);
    expect(dry.stderr).toContain('checked 2,500/2,500 rows (100%)');
    expect(dry.stderr).toContain('checked in the database (dry run) 2,500/2,500 rows (100%)');
    expect(await devicesNamed('PCX')).toBe(0);

    const real = await cli('import', 'devices', good);
    expect(real.stdout).toContain('Created 2500, updated 0, 0 unchanged, of 2500 rows');
    expect(real.stderr).toContain('written 2,500/2,500 rows (100%)');

    const out = join(dir, 'pcs.xlsx');
    const exported = await cli('export', 'devices', '--filter', 'kind=workstation', '--filter', 'administrativeUnit=540', '--out', out);
    expect(exported.code).toBe(0);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK'); // a zip: XLSX from the extension
    const csv = (await cli('export', 'devices', '--filter', 'q=PCX0000')).stdout;
    expect(csv.trim().split('\n').slice(1).map((l) => l.split(',')[4]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `PCX0000${i}`));
  }, 120_000);

  it('carries the units across the 2025 reorganisation and reviews its mapping: propose, list what is open, decide one', async () => {
    const db = 'reorganisation';
    expect((await cliIn(db, 'import-units', join(__dirname, 'fixtures/dvhcvn-small.json'))).code).toBe(0);
    const noDate = await cliIn(db, 'import-units', join(__dirname, 'fixtures/units-2025-07-small.json'), '--replaces');
    expect(noDate.code).toBe(1);
    expect(noDate.stderr).toContain('validFrom');
    const after = await cliIn(db, 'import-units', join(__dirname, 'fixtures/units-2025-07-small.json'), '--valid-from', '2025-07-01', '--replaces');
    expect(after.stdout).toMatch(/"versioned":6,"ended":5,"unchanged":0/);
    const proposed = await cliIn(db, 'successions-propose', join(__dirname, 'fixtures/reorganisation-2025-small.json'));
    expect(proposed.stdout).toMatch(/^4 new communes, 13 names: (\d+) proposed, (\d+) open for a person, 0 confirmed before and kept/);
    const open = await cliIn(db, 'successions-list', '--open', '--province', '52');
    const nhonHoi = open.stdout.split('\n').find((l) => l.includes('Xã Nhơn Hội'))!;
    expect(nhonHoi).toContain('? candidates: none');
    const decided = await cliIn(db, 'successions-review', nhonHoi.split('\t')[0], '--old-code', '21601', '--share', 'part');
    expect(decided).toMatchObject({ code: 0 });
    expect(decided.stdout).toMatch(/^21601 Phường Quy Nhơn Đông: Xã Nhơn Hội → 21601 Xã Nhơn Châu \(part\), confirmed by cli:/);
    const wrong = await cliIn(db, 'successions-review', nhonHoi.split('\t')[0], '--old-code', '99999');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('no district or commune 99999 existed on 2025-06-30');
    expect((await cliIn(db, 'successions-list', '--open', '--province', '52')).stdout).not.toContain('Xã Nhơn Hội');
  }, 120_000);

  it('refuses unknown filters and resources with a message', async () => {
    const res = await cli('export', 'devices', '--filter', 'kind=toaster');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('kind: kind must be one or more of');
    const unknown = await cli('import', 'printers', join(dir, 'pcs.csv'));
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain('Unknown resource "printers"');
  }, 30_000);

  it('seeds the demo with its plan, and exports the plan\'s coverage', async () => {
    const seeded = await cliIn('demo', 'seed-demo');
    expect(seeded.code).toBe(0);
    const id = /Loaded the plan 647\/QĐ-UBND \(25 targets\), id ([0-9a-f-]{36})/.exec(seeded.stdout)?.[1];
    expect(id).toBeDefined();
    const csv = await cliIn('demo', 'coverage-export', id!, '--year', '2013');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toContain('STT,Chỉ tiêu,Mã chỉ tiêu,Năm,Kế hoạch (%),Thực hiện (%)');
    // 2013 has a figure in five of the six rows of the plan's table (row 2 stops in 2012).
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['1', '3', '4', '5', '6']);
  }, 60_000);

  it('refuses to start the poller on a database that is not migrated, saying what to run', async () => {
    const poller = await run(process.execPath, ['-r', '@swc-node/register', 'apps/poller/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: join(dir, 'unmigrated'), DATABASE_URL: '', NODE_OPTIONS: '' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(poller.code).toBe(1);
    expect(poller.stderr).toContain('The poller cannot start: The database has pending migrations: run `npm run cli -- migrate`');
  }, 60_000);

  it('makes the first tokens, lists them without secrets, refuses bad ones and revokes', async () => {
    const made = await cli('token-create', '--owner', 'Phòng Hạ tầng — Sở TT&TT', '--role', 'network_admin', '--unit', '52', '--days', '30', '--allow', '10.52.0.0/16');
    expect(made).toMatchObject({ code: 0 });
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^hat_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toMatch(/network_admin, Tỉnh Bình Định, expires/);
    const id = /Created token ([0-9a-f-]{36})/.exec(made.stderr)![1];

    const list = (await cli('token-list')).stdout;
    expect(list).toContain(`${id}\t${secret.slice(0, 8)}…\tactive\tnetwork_admin\tTỉnh Bình Định\tPhòng Hạ tầng — Sở TT&TT`);
    expect(list).not.toContain(secret);

    const admin = await cli('token-create', '--owner', 'x', '--role', 'admin', '--agency', 'UBND-21550');
    expect(admin.code).toBe(1);
    expect(admin.stderr).toContain('role: an admin is scoped to an administrative unit or the whole country, not to one agency');
    const bad = await cli('token-create', '--owner', 'x', '--role', 'root', '--allow', '10.0.0.0/99');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('role: role must be one of admin, network_admin, planner, viewer, poller');
    const nowhere = await cli('token-create', '--owner', 'x', '--role', 'viewer', '--unit', '99');
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('no administrative unit with id or code 99');

    const unknown = await cli('token-revoke', 'not-a-token-id');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('token not-a-token-id does not exist');
    const revoked = await cli('token-revoke', id);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain(`${id}\t${secret.slice(0, 8)}…\trevoked`);
  }, 60_000);
});
