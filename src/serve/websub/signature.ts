/**
 * X-Hub-Signature (WebSub §8): `method=hex` where method is sha1, sha256, sha384 or sha512 and
 * hex the HMAC of the raw body keyed by the subscription's hub.secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

export type SignatureCheck = 'valid' | 'missing' | 'unknown-method' | 'mismatch';

/** Checks a content distribution's signature in constant time. */
export function checkSignature(
  header: string | undefined,
  body: Uint8Array,
  secret: string,
): SignatureCheck {
  if (!header) return 'missing';
  const eq = header.indexOf('=');
  const method = header.slice(0, eq).trim().toLowerCase();
  const given = header
    .slice(eq + 1)
    .trim()
    .toLowerCase();
  if (eq < 0 || !METHODS.has(method)) return 'unknown-method';
  const expected = createHmac(method, secret).update(body).digest();
  const actual = /^[0-9a-f]*$/.test(given) ? Buffer.from(given, 'hex') : Buffer.alloc(0);
  return actual.length === expected.length && timingSafeEqual(actual, expected)
    ? 'valid'
    : 'mismatch';
}

/** The header value a hub sends (used by the test hub and the bench). */
export function signBody(method: string, body: Uint8Array, secret: string): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}
