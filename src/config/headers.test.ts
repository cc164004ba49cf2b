/**
 * Extra request headers in planet.toml ([fetch] headers and [[feeds]] headers): what loads, what
 * is refused with file and line, and that no message ever shows a header value.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './schema.js';

const SECRET = 'Bearer s3cr3t-42';
const load = (text: string) =>
  parseConfig(text, { configPath: '/srv/p/planet.toml', file: 'planet.toml' });

function errorOf(text: string): ConfigError {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('config loaded without error');
}

describe('headers in planet.toml', () => {
  it('loads run-wide and per-feed headers, inline or as tables, names lower-cased', () => {
    const config = load(`[fetch]
headers = { "X-Planet" = "python", Accept = "application/rss+xml" }

[[feeds]]
url = "https://private.example/feed"
headers = { Authorization = "${SECRET}" }

[[feeds]]
url = "https://other.example/feed"
[feeds.headers]
X-Planet = "gsoc"
`);
    expect(config.fetch.headers).toEqual({ 'x-planet': 'python', accept: 'application/rss+xml' });
    expect(config.feeds[0]?.overrides?.headers).toEqual({ authorization: SECRET });
    expect(config.feeds[1]?.overrides?.headers).toEqual({ 'x-planet': 'gsoc' });
  });

  it('without headers, nothing is added', () => {
    const config = load('[[feeds]]\nurl = "https://a.example/feed"\n');
    expect(config.fetch.headers).toBeUndefined();
    expect(config.feeds[0]?.overrides).toBeUndefined();
  });

  it.each([
    ['Host', 'it is set from the feed URL'],
    ['Content-Length', 'a GET has no body'],
    ['Connection', 'managed by Orrery'],
    ['Transfer-Encoding', 'a GET has no body'],
    ['If-None-Match', 'conditional GET'],
    ['If-Modified-Since', 'conditional GET'],
    ['Accept-Encoding', 'compressions'],
    ['user-agent', 'set user_agent instead'],
  ])('refuses %s, naming file, line and key', (name, why) => {
    const err = errorOf(
      `[site]\nname = "P"\n\n[[feeds]]\nurl = "https://a.example/feed"\n[feeds.headers]\n${name} = "x"\n`,
    );
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ key: `feeds[0].headers.${name}`, line: 7 });
    expect(err.message).toContain(
      `planet.toml:7: feeds[0].headers.${name}: Orrery sets ${name} itself`,
    );
    expect(err.message).toContain(why);
  });

  it('refuses an owned header written inline, at the line of headers =', () => {
    const err = errorOf(`[fetch]\nconcurrency = 4\nheaders = { HOST = "evil.example" }\n`);
    expect(err.problems[0]).toMatchObject({ key: 'fetch.headers.HOST', line: 3 });
  });

  it.each([
    ['a value with a line break', `"X-Token" = "${SECRET}\\r\\nX-Evil: 1"`, 'line break'],
    ['a value that is not a string', 'X-Token = 42', 'must be a string'],
    ['a name that is not a token', `"X Token" = "${SECRET}"`, 'not a header name'],
    ['a name set twice', `X-Token = "${SECRET}"\nx-token = "${SECRET}"`, 'set twice'],
  ])('refuses %s without showing any value', (_what, line, message) => {
    const err = errorOf(`[[feeds]]\nurl = "https://a.example/feed"\n[feeds.headers]\n${line}\n`);
    expect(err.message).toContain(message);
    expect(err.message).not.toContain('s3cr3t');
    expect(err.message).not.toContain('42');
  });

  it('a TOML syntax error among the headers does not quote the lines around it', () => {
    const err = errorOf(
      `[fetch]\nconcurrency = 4\n[fetch.headers]\nAuthorization = Bearer s3cr3t-42\n`,
    );
    expect(err.message).toMatch(/planet\.toml:4:\d+: TOML syntax error/);
    expect(err.message).not.toContain('s3cr3t');
    const inline = errorOf(
      `[[feeds]]\nurl = "https://a.example/"\nheaders = { Authorization = s3cr3t }\n`,
    );
    expect(inline.message).not.toContain('s3cr3t');
    // Elsewhere the excerpt still helps.
    const other = errorOf(`[site]\nname = oops\n`);
    expect(other.message).toContain('name = oops');
  });

  it('suggests headers for header', () => {
    const err = errorOf(`[[feeds]]\nurl = "https://a.example/feed"\nheader = { A = "b" }\n`);
    expect(err.message).toContain("did you mean 'headers'?");
  });
});
