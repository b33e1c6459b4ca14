import { readFileSync } from 'node:fs';
import { HEARTBEAT_FILE, heartbeatProblem } from './heartbeat';

/**
 * The poller container's health check (`node dist/apps/poller/src/healthcheck.js`): exit 0 when
 * the poller wrote its heartbeat within the last minute and can write its results, 1 otherwise.
 */
let text: string | null = null;
try {
  text = readFileSync(HEARTBEAT_FILE, 'utf8');
} catch {
  text = null;
}
const problem = heartbeatProblem(text);
if (problem) {
  process.stderr.write(`unhealthy: ${problem}\n`);
  process.exit(1);
}
process.stdout.write('healthy\n');
