import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'v1.';

/**
 * SNMP secrets at rest: AES-256-GCM under a key from configuration (SECRET_KEY). Without one, a
 * key is generated once into DATA_DIR/secret.key (mode 600), so the embedded quick start works
 * with no set-up; production deployments set SECRET_KEY.
 */
export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    readonly origin: 'configured' | 'key-file' | 'ephemeral',
  ) {}

  static fromConfig(secretKey: string | undefined, dataDir: string): SecretBox {
    if (secretKey) {
      const raw = Buffer.from(secretKey, 'base64');
      const key = raw.length === 32 && secretKey.length >= 43 ? raw : scryptSync(secretKey, 'hatang-snmp-secrets', 32);
      return new SecretBox(key, 'configured');
    }
    if (dataDir.startsWith('memory://')) return new SecretBox(randomBytes(32), 'ephemeral');
    const file = join(dataDir, 'secret.key');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), 'key-file');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed secret');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('an SNMP secret does not open with this SECRET_KEY (was the key changed?)');
    }
  }
}
