/** Every way a feed's refresh can fail, one closed union (stored on the feed, shown in the health report). */
export const FEED_ERROR_CODES = [
  'dns',
  'connect',
  'tls',
  'timeout',
  'http-status',
  'too-large',
  'too-many-redirects',
  'redirect-loop',
  'blocked-address',
  'bad-url',
  'not-a-feed',
  'parse',
  'gone',
  'internal',
] as const;
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

/** Base class for bugs and broken infrastructure (not for a feed's failure, which is a value). */
export class OrreryError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrreryError';
    this.code = code;
  }
}

/** What an error says, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
