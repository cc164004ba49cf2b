import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { faultOf, HOSTILE_KINDS } from './farm.js';
// @ts-expect-error plain JS module without types
import { startFarm } from './farm-process.js';

const port = 19_300 + Math.floor(Math.random() * 400);
let farm: { stop(): Promise<void> };

beforeAll(async () => {
  // The bundled corpus (bench/corpus), not the farm's default (../shared/corpus, beside the
  // checkout): the test runs in a checkout alone.
  const corpus = fileURLToPath(new URL('../corpus', import.meta.url));
  farm = await startFarm({ hosts: 3, port, profile: 'mixed', corpus, maxSeconds: 60 });
});

afterAll(() => farm?.stop());

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

  it('serves a hostile kind on demand: the redirect chain and the billion laughs', async () => {
    const chain = await fetch(`http://127.0.0.1:${port}/h/redirects/7.xml`, { redirect: 'manual' });
    expect(chain.status).toBe(301);
    expect(chain.headers.get('location')).toBe('/r/7/1');
    const next = await fetch(`http://127.0.0.1:${port}/r/7/9999`, { redirect: 'manual' });
    expect(next.headers.get('location')).toBe('/r/7/10000');
    const laughs = await (await fetch(`http://127.0.0.1:${port}/h/laughs/1.xml`)).text();
    expect(laughs).toContain('<!ENTITY lol9 "&lol8;');
  });

  it('makes about 10 % of the hostile profile faulty, with every kind', () => {
    const faults = Array.from({ length: 10_000 }, (_, id) => faultOf(id, 'hostile'));
    const faulty = faults.filter((f) => f !== 'ok');
    expect(faulty.length / faults.length).toBeGreaterThan(0.09);
    expect(faulty.length / faults.length).toBeLessThan(0.11);
    expect(new Set(faulty)).toEqual(new Set(HOSTILE_KINDS));
  });

  it('gives about the announced share of faults', () => {
    const faults = Array.from({ length: 10_000 }, (_, id) => faultOf(id, 'mixed'));
    const share = (f: string) => faults.filter((x) => x === f).length / faults.length;
    expect(share('ok')).toBeGreaterThan(0.75);
    expect(share('slow')).toBeGreaterThan(0.04);
    expect(share('slow')).toBeLessThan(0.08);
  });
});
