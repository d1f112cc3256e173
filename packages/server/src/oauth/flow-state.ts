/**
 * The `state` of an authorization request. It travels through the browser and the provider,
 * so it carries everything the callback needs, sealed (AES-256-GCM under a key derived from
 * `CONNECTOR_PROXY_SECRET_KEY`): any worker or replica that shares the key can finish a
 * connection another one started, without a shared store. What a sealed value cannot do alone,
 * being used once, a StateLedger (state-ledger.ts) does.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** How long a connection may take, from the click in SpiffArena to the provider's answer. */
export const STATE_LIFETIME_MS = 10 * 60 * 1000;

/** What the callback needs to finish a connection. */
export interface FlowState {
  /** The provider's id. */
  readonly provider: string;
  /** Where the browser goes at the end (already checked against the allow list). */
  readonly redirectUrl: string;
  /** The PKCE verifier for the token request. */
  readonly verifier: string;
  /** The callback URL given to the provider, which the token request must repeat exactly. */
  readonly redirectUri: string;
  /** 128 random bits: what makes the state unguessable and what a StateLedger remembers. */
  readonly nonce: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds a sealed value to this use: the same key material sealing something else cannot pass as a state.
const PURPOSE = Buffer.from('connector-proxy oauth state v1');

/** Seals and opens states. */
export class StateSealer {
  private readonly key: Buffer;

  /** `secretKey`: the 32 bytes of CONNECTOR_PROXY_SECRET_KEY; the state key is derived from it, never the same. */
  constructor(secretKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), PURPOSE, 32));
  }

  /** A new state, valid for {@link STATE_LIFETIME_MS} from `now`. */
  create(flow: Pick<FlowState, 'provider' | 'redirectUrl' | 'verifier' | 'redirectUri'>, now = Date.now()): { state: FlowState; sealed: string } {
    const state: FlowState = { ...flow, nonce: randomBytes(16).toString('base64url'), expiresAt: now + STATE_LIFETIME_MS };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(PURPOSE);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
    return { state, sealed: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url') };
  }

  /** The state, or undefined when `text` was not sealed here (forged, altered, cut). */
  open(text: string): FlowState | undefined {
    const bytes = Buffer.from(text, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(PURPOSE);
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const json = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      return JSON.parse(json) as FlowState;
    } catch (error) {
      // `final` throws when the tag does not match: the one way GCM says "not sealed with this key".
      if (error instanceof Error && /unable to authenticate|Unsupported state/i.test(error.message)) return undefined;
      throw error;
    }
  }
}
