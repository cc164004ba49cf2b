import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { faultOf } from './farm.js';

const port = 19_300 + Math.floor(Math.random() * 400);
let farm: ChildProcess;

beforeAll(async () => {
  farm = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'farm.js'),
      '--hosts',
      '3',
      '--port',
      String(port),
      '--profile',
      'mixed',
      '--max-seconds',
      '60',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: farm.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
});

afterAll(async () => {
  farm.stdin?.end();
  await new Promise((resolve) => farm.once('exit', resolve));
});

const idWith = (fault: string) => {
  for (let id = 0; id < 5000; id++) if (faultOf(id, 'mixed') === fault) return id;
  throw new Error(`no feed with fault ${fault}`);
};
const url = (id: number) => `http://127.0.${id % 3}.1:${port}/f/${id}.xml`;

describe('feed farm', () => {
  it('serves a feed with an ETag, then 304 for it', async () => {
    const id = idWith('ok');
    const first = await fetch(url(id));
    expect(first.status).toBe(200);
    expect((await first.text()).length).toBeGreaterThan(100);
    const etag = first.headers.get('etag') ?? '';
    const second = await fetch(url(id), { headers: { 'if-none-match': etag } });
    expect(second.status).toBe(304);
  });

  it.each([
    ['missing', 404],
    ['error', 500],
    ['gone', 410],
  ])('answers the %s fault with %i', async (fault, status) => {
    const response = await fetch(url(idWith(fault)));
    expect(response.status).toBe(status);
  });

  it('moves a feed permanently', async () => {
    const id = idWith('moved');
    const response = await fetch(url(id), { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(`/moved/${id}.xml`);
  });

  it('gives about the announced share of faults', () => {
    const faults = Array.from({ length: 10_000 }, (_, id) => faultOf(id, 'mixed'));
    const share = (f: string) => faults.filter((x) => x === f).length / faults.length;
    expect(share('ok')).toBeGreaterThan(0.75);
    expect(share('slow')).toBeGreaterThan(0.04);
    expect(share('slow')).toBeLessThan(0.08);
  });
});
