import { createHmac, randomUUID } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '@app/polling';
import type { AlertingMetrics } from './alerting-metrics';
import type { ChannelKind, DeliveryEvent } from './entities';

export interface OutboxOptions {
  smtpUrl?: string;
  smtpFrom: string;
  /** The first retry waits this long; each next one twice as long, at most an hour. */
  retryBaseMs: number;
  /** After this many failed attempts a delivery is given up (status failed). */
  maxAttempts?: number;
  /** Deliveries sent at once. */
  concurrency?: number;
  /** How long a sender holds a delivery it claimed; past it another sender may take it over. */
  leaseMs?: number;
  timeoutMs?: number;
  log?: { warn(message: string): void; error(message: string): void };
  metrics?: AlertingMetrics;
}

interface Claimed {
  id: string;
  incidentId: string;
  channelId: string;
  event: DeliveryEvent;
  attempts: number;
  message: { subject: string; text: string; payload: Record<string, unknown> };
}

interface ChannelRow {
  id: string;
  kind: ChannelKind;
  recipients: string[] | null;
  url: string | null;
  secret: string | null;
  enabled: boolean;
}

interface Result {
  id: string;
  startedAt: Date;
  durationMs: number;
  ok: boolean;
  /** A failure that retrying cannot mend (a 4xx other than 408/429, a 5xx SMTP reply). */
  permanent: boolean;
  response: string | null;
  error: string | null;
}

const BATCH = 200;
const HOUR = 3_600_000;

/** The webhook's signature header: `sha256=` and the hex HMAC-SHA256 of the raw body with the channel's secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Sends what the evaluator stored. A delivery is claimed (status sending, with a lease), sent,
 * and its attempt recorded; a failure waits its backoff and is retried. A process that stops
 * between storing and sending loses nothing: the next sender finds the delivery pending. A
 * process that dies while sending leaves a claim that expires and is retried: the message's
 * Message-ID and the webhook's X-Hatang-Delivery header carry the delivery's id, so a receiver
 * can tell a resend from a new notice.
 */
export class Outbox {
  private transport?: Transporter;
  private timer?: NodeJS.Timeout;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  readonly counts = { sent: 0, failedAttempts: 0, givenUp: 0 };

  constructor(
    private readonly ds: DataSource,
    private readonly secrets: SecretBox,
    private readonly options: OutboxOptions,
  ) {}

  start(everyMs = 1000): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    this.transport?.close();
  }

  /** Sends what is due now (again once the current round ends, if one is running). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e: Error) => {
        this.options.log?.error(`sending notifications failed: ${e.message}`);
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Sends everything due, batch after batch; returns how many were attempted. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.stopped) return total;
      const n = await this.round();
      total += n;
      if (n < BATCH) return total;
    }
  }

  private async round(): Promise<number> {
    const lease = this.options.leaseMs ?? 120_000;
    const claimed: Claimed[] = await this.ds.query(
      `WITH claimed AS (
         UPDATE alert_delivery SET status = 'sending', attempts = attempts + 1, claimed_until = now() + make_interval(secs => $2)
          WHERE id IN (SELECT id FROM alert_delivery
                        WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND claimed_until < now())
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING id, incident_id AS "incidentId", channel_id AS "channelId", event, attempts, message)
       SELECT * FROM claimed`,
      [BATCH, lease / 1000],
    );
    if (claimed.length === 0) return 0;
    const channels = new Map(
      ((await this.ds.query(`SELECT id, kind, recipients, url, secret, enabled FROM alert_channel WHERE id = ANY($1::uuid[])`, [[...new Set(claimed.map((c) => c.channelId))]])) as ChannelRow[]).map((c) => [c.id, c]),
    );
    const results: Result[] = [];
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const d = claimed[next++];
        results.push(await this.attempt(d, channels.get(d.channelId)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 20, claimed.length) }, worker));
    await this.record(claimed, results, new Map(claimed.map((c) => [c.id, channels.get(c.channelId)?.kind ?? 'unknown'])));
    return claimed.length;
  }

  /**
   * Sends a test notice to a channel now, outside the outbox (nothing stored, no retry), and says
   * what the receiver answered: how an admin checks an SMTP server or a webhook before an incident does.
   */
  async test(channelId: string, by: string): Promise<{ ok: boolean; response: string | null; error: string | null; durationMs: number }> {
    const [channel] = (await this.ds.query(`SELECT id, kind, recipients, url, secret, enabled FROM alert_channel WHERE id = $1`, [channelId])) as ChannelRow[];
    const id = randomUUID();
    const text = `THỬ: kênh thông báo này nhận được thông báo của Hatang (${by} gửi thử).`;
    const r = await this.attempt(
      { id, incidentId: id, channelId, event: 'open', attempts: 1, message: { subject: `[Hatang] ${text}`, text: `${text}\n\nKhông cần làm gì thêm.`, payload: { event: 'test', text } } },
      channel ? { ...channel, enabled: true } : undefined,
    );
    return { ok: r.ok, response: r.response, error: r.error, durationMs: r.durationMs };
  }

  private async attempt(d: Claimed, channel: ChannelRow | undefined): Promise<Result> {
    const startedAt = new Date();
    const t0 = performance.now();
    const done = (ok: boolean, response: string | null, error: string | null, permanent = false): Result => ({
      id: d.id,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      ok,
      permanent,
      response: response?.slice(0, 500) ?? null,
      error: error?.slice(0, 1000) ?? null,
    });
    if (!channel || !channel.enabled) return done(false, null, 'the channel is disabled', true);
    try {
      if (channel.kind === 'email') {
        if (!this.options.smtpUrl) return done(false, null, 'SMTP_URL is not set: e-mail cannot be sent');
        this.transport ??= createTransport(this.options.smtpUrl + (this.options.smtpUrl.includes('?') ? '&' : '?') + 'pool=true&maxConnections=5&maxMessages=1000');
        const info = await this.transport.sendMail({
          from: this.options.smtpFrom,
          to: channel.recipients!,
          subject: d.message.subject,
          text: d.message.text,
          messageId: `<${d.id}@hatang>`,
          headers: { 'X-Hatang-Delivery': d.id, 'X-Hatang-Event': d.event },
        });
        return done(true, String(info.response ?? ''), null);
      }
      const body = JSON.stringify({ deliveryId: d.id, ...d.message.payload });
      const res = await fetch(channel.url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Hatang-Alerts/1',
          'x-hatang-delivery': d.id,
          'x-hatang-event': d.event,
          'x-hatang-signature': signBody(this.secrets.open(channel.secret!), body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      const text = (await res.text().catch(() => '')).slice(0, 200);
      const answer = `HTTP ${res.status}${text ? ` ${text}` : ''}`;
      if (res.ok) return done(true, answer, null);
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      return done(false, answer, `the receiver answered ${res.status}`, permanent);
    } catch (e) {
      const err = e as Error & { responseCode?: number; code?: string; cause?: { code?: string; message?: string } };
      const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
      const message = err.cause?.message ? `${err.message}: ${err.cause.message}` : err.message;
      return done(false, err.responseCode ? String(err.responseCode) : null, message, permanent);
    }
  }

  private async record(claimed: Claimed[], results: Result[], kinds: Map<string, string>): Promise<void> {
    const attempts = new Map(claimed.map((c) => [c.id, c.attempts]));
    const max = this.options.maxAttempts ?? 10;
    const status = results.map((r) => (r.ok ? 'sent' : r.permanent || attempts.get(r.id)! >= max ? 'failed' : 'pending'));
    const retryAt = results.map((r) => new Date(Date.now() + Math.min(HOUR, this.options.retryBaseMs * 2 ** (attempts.get(r.id)! - 1))));
    for (const [i, r] of results.entries()) {
      const kind = kinds.get(r.id) ?? 'unknown';
      this.options.metrics?.notices.inc({ kind, result: r.ok ? 'sent' : status[i] === 'failed' ? 'given_up' : 'failed' });
      if (r.ok) this.counts.sent++;
      else {
        this.counts.failedAttempts++;
        if (status[i] === 'failed') this.counts.givenUp++;
        this.options.log?.warn(`notification ${r.id} not delivered (attempt ${attempts.get(r.id)}): ${r.error}`);
      }
    }
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO alert_delivery_attempt (delivery_id, started_at, duration_ms, ok, response, error)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::boolean[], $5::text[], $6::text[])`,
        [results.map((r) => r.id), results.map((r) => r.startedAt), results.map((r) => r.durationMs), results.map((r) => r.ok), results.map((r) => r.response), results.map((r) => r.error)],
      );
      await m.query(
        `UPDATE alert_delivery d SET status = u.status, claimed_until = NULL, last_error = u.error,
                sent_at = CASE WHEN u.status = 'sent' THEN u.started_at ELSE d.sent_at END,
                next_attempt_at = CASE WHEN u.status = 'pending' THEN u.retry_at ELSE d.next_attempt_at END
           FROM unnest($1::uuid[], $2::varchar[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS u(id, status, error, started_at, retry_at)
          WHERE d.id = u.id`,
        [results.map((r) => r.id), status, results.map((r) => r.error), results.map((r) => r.startedAt), retryAt],
      );
    });
  }
}
