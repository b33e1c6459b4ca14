import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A TCP port free on 127.0.0.1 at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The API as a real process (apps/api/src/main.ts) on 127.0.0.1:`port`, resolved once it says it
 * listens; `started` gets the process at once, so a caller can kill it even if it never starts.
 */
export async function startApiProcess(env: NodeJS.ProcessEnv, port: number, started?: (p: ChildProcess) => void): Promise<ChildProcess> {
  const api = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], { cwd: ROOT, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  started?.(api);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start: ${output}`)), 90_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Hatang API on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    api.stdout!.on('data', seen);
    api.stderr!.on('data', seen);
    api.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with ${code}: ${output}`));
    });
  });
  return api;
}
