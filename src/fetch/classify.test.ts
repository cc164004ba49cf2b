import { describe, expect, it } from 'vitest';
import { classifyError, classifyStatus, FetchFailure } from './classify.js';

const err = (code: string, message = code, name = 'Error') =>
  Object.assign(new Error(message), { code, name });

describe('classifyError', () => {
  it.each([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'connect'],
    ['EHOSTUNREACH', 'connect'],
    ['ECONNRESET', 'connect'],
    ['UND_ERR_SOCKET', 'connect'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['ETIMEDOUT', 'timeout'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['ERR_BUFFER_TOO_LARGE', 'too-large'],
    ['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'too-large'],
    ['Z_DATA_ERROR', 'parse'],
    ['ERR_INVALID_URL', 'bad-url'],
    ['SOMETHING_ELSE', 'internal'],
  ])('%s → %s', (code, expected) => {
    const result = classifyError(err(code), 'http://example.org/feed');
    expect(result.code).toBe(expected);
    expect(result.message.length).toBeGreaterThan(5);
  });

  it('finds the code in a wrapped cause and names the host', () => {
    const wrapped = new Error('fetch failed', { cause: err('ENOTFOUND') });
    expect(classifyError(wrapped, 'https://nowhere.example/feed')).toEqual({
      code: 'dns',
      message: 'DNS lookup failed (nowhere.example): no such host',
    });
  });

  it('passes FetchFailure through, even wrapped', () => {
    const failure = new FetchFailure('blocked-address', 'refused');
    expect(classifyError(new Error('x', { cause: failure }))).toEqual({
      code: 'blocked-address',
      message: 'refused',
    });
  });

  it('treats a TimeoutError abort reason as timeout', () => {
    expect(classifyError(new DOMException('budget spent', 'TimeoutError')).code).toBe('timeout');
  });
});

describe('classifyStatus', () => {
  it.each([
    [410, 'gone'],
    [404, 'http-status'],
    [429, 'http-status'],
    [500, 'http-status'],
  ])('%i → %s', (status, code) => {
    expect(classifyStatus(status).code).toBe(code);
    expect(classifyStatus(status).message).toContain(String(status));
  });
});
