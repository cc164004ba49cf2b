/**
 * Parser fuzz: seeded mutations (testdata/mutate.ts) of the corpus documents and conformance
 * cases, parsed with sanitizing on. For every mutant: parse() returns (no internal error), in
 * under 2 s of CPU, and every HTML text construct it returns is harmless (no executable
 * construct when a browser parses it, testdata/find-hazards) and sanitized already (sanitizing
 * it again changes nothing); no link carries a script URL.
 * CI runs ORRERY_FUZZ_DOCS mutants (default 400); `node bench/fuzz.js` runs a longer one.
 * A failure names the seed and mutant index: ORRERY_FUZZ_SEED=<seed> reproduces it.
 */
import { describe, expect, it } from 'vitest';
import type { ParseResult, Text } from '../model/feed.js';
import { sanitizeHtml } from '../sanitize/index.js';
import { findHazards } from '../sanitize/testdata/find-hazards.js';
import { parse } from './index.js';
import { mutate, rng } from './testdata/mutate.js';
import {
  corpusDocuments,
  HAS_CONFORMANCE,
  readCase,
  readJsonl,
} from './testdata/shared-documents.js';

const DOCS = Number(process.env.ORRERY_FUZZ_DOCS ?? 400);
const SEED = Number(process.env.ORRERY_FUZZ_SEED ?? 20261206);
/** Corpus documents are cut to their first 64 KB: the mutations matter, not the size. */
const HEAD = 64 * 1024;
const MAX_CPU_MS = 2000;
const TIMEOUT_MS = Number(process.env.ORRERY_FUZZ_TIMEOUT_MS ?? 120_000);
const SCRIPT_URL = /^(?:javascript|vbscript|livescript):|^data:text\/html/i;

function seeds(): { name: string; bytes: Uint8Array }[] {
  const out = corpusDocuments().map((d) => ({
    name: `corpus/${d.name}`,
    bytes: new Uint8Array(d.bytes.subarray(0, HEAD)),
  }));
  if (HAS_CONFORMANCE) {
    for (const v of readJsonl<{ case: string }>('vectors.jsonl'))
      out.push({ name: v.case, bytes: new Uint8Array(readCase(v)) });
  }
  return out;
}

function texts(r: ParseResult): Text[] {
  const f = r.feed;
  const out = [f.titleDetail, f.subtitleDetail, f.rightsDetail];
  for (const e of r.entries) out.push(e.titleDetail, e.summaryDetail, ...e.content);
  return out.filter((t): t is Text => t !== undefined);
}

function urls(r: ParseResult): string[] {
  const f = r.feed;
  const out = [f.link, f.icon, f.logo, f.image?.url, ...f.links.map((l) => l.href)];
  for (const e of r.entries) {
    out.push(e.link, e.comments, ...e.links.map((l) => l.href));
    out.push(...e.enclosures.map((x) => x.url));
  }
  return out.filter((u): u is string => u !== undefined);
}

/** What is wrong with one mutant's result; [] when nothing. */
function problems(r: ParseResult, cpuMs: number): string[] {
  const found: string[] = [];
  if (cpuMs > MAX_CPU_MS) found.push(`took ${cpuMs.toFixed(0)} ms of CPU`);
  for (const w of r.warnings) if (w.startsWith('parse: internal error')) found.push(w);
  for (const t of texts(r)) {
    if (t.type !== 'text/html' && t.type !== 'application/xhtml+xml') continue;
    for (const h of findHazards(t.value)) found.push(`hazard ${h} in ${t.value.slice(0, 120)}`);
    const again = sanitizeHtml(t.value, t.base ? { baseUrl: t.base } : {});
    if (again !== t.value)
      found.push(`not idempotent: ${t.value.slice(0, 120)} → ${again.slice(0, 120)}`);
  }
  for (const u of urls(r)) {
    if (SCRIPT_URL.test(u.replace(/[\u0000-\u0020]/g, ''))) found.push(`script URL ${u}`);
  }
  return found;
}

describe('parser fuzz (mutated corpus and conformance documents)', () => {
  const docs = seeds();

  it.skipIf(docs.length === 0)(
    `survives ${DOCS} mutants (seed ${SEED})`,
    () => {
      const r = rng(SEED);
      const failures: string[] = [];
      let worstMs = 0;
      let bytes = 0;
      for (let i = 0; i < DOCS && failures.length < 10; i++) {
        const seed = docs[Math.floor(r() * docs.length)]!;
        const mutant = mutate(seed.bytes, r);
        bytes += mutant.length;
        const t0 = process.cpuUsage();
        const result = parse(mutant, { url: 'http://fuzz.example/feed/', sanitize: true });
        const used = process.cpuUsage(t0);
        const ms = (used.user + used.system) / 1000;
        worstMs = Math.max(worstMs, ms);
        for (const p of problems(result, ms)) failures.push(`#${i} (${seed.name}): ${p}`);
      }
      console.log(
        `fuzz: ${DOCS} mutants of ${docs.length} documents (${(bytes / 1048576).toFixed(1)} MB), ` +
          `seed ${SEED}, slowest ${worstMs.toFixed(0)} ms CPU, ${failures.length} failure(s)`,
      );
      expect(failures).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
