import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startApiProcess } from './support/processes';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * Two real processes on one PGlite data directory: the API running, and the CLI started beside it.
 * The second must stop at once, naming the holder, and a holder killed with SIGKILL (its lock file
 * left behind) must not block the next process.
 */
describe('one process per PGlite data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hatang-lock-'));
  const dataDir = join(dir, 'data');
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', NODE_OPTIONS: '', SEED_DEMO: 'false', POLLER_IN_PROCESS: 'false', LOG_LEVEL: 'warn' };
  const apis: ChildProcess[] = [];

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], { cwd: ROOT, env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  const startApi = (port: number): Promise<ChildProcess> => startApiProcess(env, port, (api) => apis.push(api));

  const kill = (p: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) return resolve();
      p.once('exit', () => resolve());
      p.kill(signal);
    });

  afterAll(async () => {
    for (const p of apis) await kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops a second process at once, naming the holder; takes over a dead holder; releases on exit', async () => {
    expect((await cli('migrate')).code).toBe(0);
    expect(existsSync(join(dataDir, 'hatang.lock'))).toBe(false);

    const port = await freePort();
    const api = await startApi(port);
    const started = Date.now();
    const second = await cli('token-create', '--owner', 'Beside the API', '--role', 'admin');
    expect(second.code).toBe(75);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(`PID ${api.pid}`);
    expect(second.stderr).toContain('POST /api/v1/tokens');
    expect(Date.now() - started).toBeLessThan(30_000);

    // The holder dies without cleaning up: its lock file stays, and the next process takes over.
    await kill(api, 'SIGKILL');
    expect(existsSync(join(dataDir, 'hatang.lock'))).toBe(true);
    const made = await cli('token-create', '--owner', 'After the API', '--role', 'admin');
    expect(made.code).toBe(0);
    const token = made.stdout.trim().split('\n').find((l) => l.startsWith('hat_'))!.trim();
    expect(existsSync(join(dataDir, 'hatang.lock'))).toBe(false);

    // The token the CLI made works once the API runs again: nothing it wrote was lost.
    const again = await startApi(port);
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { owner: string }).owner).toBe('After the API');
    await kill(again, 'SIGTERM');
    expect(again.exitCode === 0 || again.signalCode === 'SIGTERM').toBe(true);
    expect(existsSync(join(dataDir, 'hatang.lock'))).toBe(false);
  }, 240_000);
});
