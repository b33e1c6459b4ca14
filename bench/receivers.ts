/**
 * The receivers of bench:alerts, in their own process so the poller's and the sender's CPU are
 * measured alone: an SMTP server (smtp-server) and an HTTP webhook receiver on 127.0.0.1. They
 * count what they accept, and each notice's X-Hatang-Delivery id, to find duplicates.
 * Prints one JSON line with their ports; answers 'counts' over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const mails = { n: 0, ids: new Set<string>(), last: 0 };
const hooks = { n: 0, ids: new Set<string>(), last: 0 };

async function main(): Promise<void> {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('latin1');
      });
      stream.on('end', () => {
        mails.n++;
        mails.last = Date.now();
        const id = /^X-Hatang-Delivery: (\S+)/im.exec(head)?.[1];
        if (id) mails.ids.add(id);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const http = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hooks.n++;
      hooks.last = Date.now();
      const id = req.headers['x-hatang-delivery'];
      if (typeof id === 'string') hooks.ids.add(id);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ smtp: (smtp.server.address() as AddressInfo).port, http: (http.address() as AddressInfo).port })}\n`);
  process.on('message', (m) => {
    if (m === 'counts') process.send?.({ mails: { n: mails.n, unique: mails.ids.size, last: mails.last }, hooks: { n: hooks.n, unique: hooks.ids.size, last: hooks.last }, cpu: process.cpuUsage() });
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
void main();
