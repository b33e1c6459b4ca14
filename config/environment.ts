import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'node:net';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, validateSync } from 'class-validator';

/**
 * Every environment variable the processes read, checked once at boot. README's
 * "Configuration" table documents the same list.
 */
/** An address or range Express's `trust proxy` takes: an IP, an IP/prefix, or a named range. */
function isProxyAddress(text: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(text)) return true;
  const [ip, bits, extra] = text.split('/');
  const family = isIP(ip);
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

export class Environment {
  /** PostgreSQL connection string; without it the service runs on embedded PGlite. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// connection string' })
  DATABASE_URL?: string;

  /** Where embedded PGlite keeps its files (ignored with DATABASE_URL). */
  @IsString()
  DATA_DIR = './data';

  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'DATABASE_POOL_SIZE must be a whole number' })
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Embedded PGlite has no autovacuum: seconds between two checks of its tables for analysing and vacuuming (0: never). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'PGLITE_MAINTENANCE_SECONDS must be a whole number' })
  @Min(0)
  @Max(86400)
  PGLITE_MAINTENANCE_SECONDS = 60;

  @IsString()
  HOST = '127.0.0.1';

  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'PORT must be a whole number' })
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** `text` for people; `json` for log collectors: one JSON object per line, requests with their id. */
  @IsIn(['text', 'json'], { message: 'LOG_FORMAT must be text or json' })
  LOG_FORMAT: 'text' | 'json' = 'text';

  /** Load the demo province when the database is empty (the quick start sets it). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : value === 'true' || value === '1'))
  @IsIn([true, false], { message: 'SEED_DEMO must be true or false' })
  SEED_DEMO = false;

  /**
   * Key for SNMP secrets at rest (AES-256-GCM): 32 bytes in base64, or a passphrase. Without it a
   * key is generated once into DATA_DIR/secret.key. Set it in production.
   */
  @IsOptional()
  @IsString()
  @Matches(/^.{16,}$/, { message: 'SECRET_KEY must be at least 16 characters' })
  SECRET_KEY?: string;

  /**
   * Redis for the distributed poller: with it, `apps/poller` workers of a group share its devices
   * through BullMQ (any number of them, on any machines).
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Run the SNMP poller inside the API process (single-machine mode). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : value === 'true' || value === '1'))
  @IsIn([true, false], { message: 'POLLER_IN_PROCESS must be true or false' })
  POLLER_IN_PROCESS = true;

  /** The poller group this process polls (devices carry a pollerGroup in their SNMP profile). */
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'POLLER_GROUP must be lower-case letters, digits, - or _' })
  POLLER_GROUP = 'default';

  /** UDP sockets the poller shares among all devices (per address family). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'SNMP_SOCKETS must be a whole number' })
  @Min(1)
  @Max(64)
  SNMP_SOCKETS = 4;

  /** SNMP requests in flight at once (about 150 per socket keeps within the kernel's receive buffer). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'SNMP_MAX_IN_FLIGHT must be a whole number' })
  @Min(1)
  @Max(10000)
  SNMP_MAX_IN_FLIGHT = 600;

  /** Apply pending migrations when the API starts. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : value === 'true' || value === '1'))
  @IsIn([true, false], { message: 'MIGRATE_ON_START must be true or false' })
  MIGRATE_ON_START = true;

  /** For `apps/poller` with no database: the API it reads targets from and sends results to. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'API_URL must be an http:// or https:// URL' })
  API_URL?: string;

  /** The poller token `apps/poller` uses with API_URL. */
  @IsOptional()
  @Matches(/^hat_[A-Za-z0-9_-]{43}$/, { message: 'POLLER_TOKEN must be a Hatang API token (hat_…)' })
  POLLER_TOKEN?: string;

  /** Failed authentications an address may make per minute; past it, 429 until the minute is over. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'AUTH_FAILURES_PER_MINUTE must be a whole number' })
  @Min(1)
  @Max(100000)
  AUTH_FAILURES_PER_MINUTE = 10;

  /** Origins a browser may call the API from, comma-separated; empty (the default) allows none. */
  @IsString()
  @Matches(/^(|https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*)$/, { message: 'CORS_ORIGINS must be a comma-separated list of http(s):// origins' })
  CORS_ORIGINS = '';

  /**
   * Behind a reverse proxy: the proxies' addresses (IPs or CIDR ranges, or loopback, linklocal,
   * uniquelocal), comma-separated. X-Forwarded-For is believed only from them, so a client that
   * connects directly cannot choose its address. Empty (the default) trusts none.
   */
  @IsString()
  @ValidateBy({
    name: 'proxyAddresses',
    validator: {
      validate: (v) => typeof v === 'string' && v.split(',').every((p) => p.trim() === '' || isProxyAddress(p.trim())),
      defaultMessage: () => 'TRUST_PROXY must list the proxies\' addresses (e.g. 127.0.0.1 or 10.0.0.0/8, or loopback), not a count',
    },
  })
  TRUST_PROXY = '';

  /** Evaluate alert rules and send notifications in this process (several API processes share the work safely). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : value === 'true' || value === '1'))
  @IsIn([true, false], { message: 'ALERTS_ENABLED must be true or false' })
  ALERTS_ENABLED = true;

  /** Seconds between two evaluations of the alert rules. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'ALERTS_EVALUATE_SECONDS must be a whole number' })
  @Min(1)
  @Max(3600)
  ALERTS_EVALUATE_SECONDS = 15;

  /** Send the stored notifications from this process (false: only store them; another process sends). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : value === 'true' || value === '1'))
  @IsIn([true, false], { message: 'ALERTS_DELIVER must be true or false' })
  ALERTS_DELIVER = true;

  /** The first retry of a failed notification waits this long; each next one twice as long (at most an hour). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'ALERTS_RETRY_SECONDS must be a whole number' })
  @Min(1)
  @Max(3600)
  ALERTS_RETRY_SECONDS = 30;

  /** The SMTP server e-mail channels send through: smtp://user:pass@host:587 or smtps://host:465. */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** The sender of alert e-mails. */
  @IsString()
  @Matches(/^[^\r\n]{3,200}$/, { message: 'SMTP_FROM must be an address, e.g. Hatang <hatang@example.gov.vn>' })
  SMTP_FROM = 'Hatang <hatang@localhost>';

  /** The console's address, for links in notifications (https://hatang.example.gov.vn). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_URL must be an http:// or https:// URL' })
  PUBLIC_URL?: string;

  /** UDP port of the SNMP trap listener (162 is the standard one); unset: no listener. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'TRAP_PORT must be a whole number' })
  @Min(1)
  @Max(65535)
  TRAP_PORT?: number;

  /** Address the trap listener binds to. */
  @IsString()
  TRAP_HOST = '127.0.0.1';
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const KNOWN = new Set(Object.keys(new Environment()).concat('DATABASE_URL', 'SECRET_KEY', 'REDIS_URL', 'API_URL', 'POLLER_TOKEN', 'SMTP_URL', 'PUBLIC_URL', 'TRAP_PORT'));

export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const picked: Record<string, string> = {};
  for (const key of KNOWN) {
    const value = source[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const env = plainToInstance(Environment, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: true });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map((e) => `${e.property}=${JSON.stringify(picked[e.property] ?? '')}: ${Object.values(e.constraints ?? {}).join('; ')}`),
    );
  }
  return env;
}

/** For process entry points: print the problem and stop, naming the variable. */
export function loadEnvironmentOrExit(): Environment {
  try {
    return loadEnvironment();
  } catch (err) {
    if (err instanceof ConfigurationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
