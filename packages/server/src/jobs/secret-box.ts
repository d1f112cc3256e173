import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { configurationError } from '@connector-proxy/sdk';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = 'v1:';
const PLAIN = 'plain:';

/**
 * Seals what a job stores (parameters can hold secrets; results too) with AES-256-GCM when
 * `CONNECTOR_PROXY_SECRET_KEY` is set; without a key values are stored as plain JSON.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer | undefined) {}

  /** `key`: the 32 bytes config.ts read from `CONNECTOR_PROXY_SECRET_KEY`, or none (values stored as plain JSON). */
  static withKey(key: Buffer | undefined): SecretBox {
    return new SecretBox(key);
  }

  get encrypts(): boolean {
    return this.key !== undefined;
  }

  seal(value: unknown): string {
    const json = JSON.stringify(value);
    if (this.key === undefined) return PLAIN + json;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    const sealed = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return SEALED + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  open<T>(text: string): T {
    if (text.startsWith(PLAIN)) return JSON.parse(text.slice(PLAIN.length)) as T;
    if (!text.startsWith(SEALED)) throw new Error('stored job data has an unknown format');
    if (this.key === undefined) throw configurationError('CONNECTOR_PROXY_SECRET_KEY', 'is needed: stored jobs were encrypted with a key');
    const bytes = Buffer.from(text.slice(SEALED.length), 'base64');
    const decipher = createDecipheriv(ALGORITHM, this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const json = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    return JSON.parse(json) as T;
  }
}
