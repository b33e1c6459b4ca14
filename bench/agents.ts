/**
 * Simulated agents for bench:poller, in their own process so the poller's CPU is measured alone.
 * argv: number of agents. Prints one JSON line with their ports, then serves until killed.
 */
import { SimulatedDevice } from '../test/simulator/simulated-device';

/** Four ports, as the poller's monitored interfaces ask (MONITORED in bench:poller). */
const INTERFACES = [1, 2, 3, 4].map((ifIndex) => ({ ifIndex, up: true, speedMbps: 1000 }));

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100);
  const agents = await Promise.all(Array.from({ length: count }, (_, i) => SimulatedDevice.start({ communities: ['public'], sysName: `bench-${i}`, hostResources: true, interfaces: INTERFACES })));
  process.stdout.write(`${JSON.stringify({ ports: agents.map((a) => a.port) })}\n`);
  const stop = async () => {
    await Promise.all(agents.map((a) => a.stop()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  // Report CPU when asked, so the bench can tell how busy the agents were.
  // { down: [i…] } / { up: [i…] }: those agents stop or start answering (bench:alerts).
  process.on('message', (m: unknown) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    const order = m as { down?: number[]; up?: number[] };
    for (const i of order.down ?? []) agents[i]?.goDown();
    for (const i of order.up ?? []) agents[i]?.comeBack();
    if (order.down || order.up) process.send?.({ done: true });
  });
}
void main();
