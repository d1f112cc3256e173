/** PKCE (RFC 7636) with S256: the code is worth nothing without the verifier, which only the proxy holds. */
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters, the RFC's minimum length and its recommended entropy. */
export function newCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * @example
 * codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
