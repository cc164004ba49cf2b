/**
 * The shared conformance vectors (../shared/conformance, beside the repo): every document in
 * vectors.jsonl through parse(), every date in dates.jsonl through parseDate().
 * Two lists with a reason for each case:
 * - deliberate deviations (src/sanitize/testdata/deliberate-deviations.json, the sanitizer's
 *   policy: safety over fidelity), reported in the output but not counted;
 * - known failures (testdata/conformance-expected-failures.json), counted as failures.
 * A failure in neither list is a regression, and a known failure that now passes must be
 * removed from its list. The pass figure printed excludes the deviations.
 */
// biome-ignore lint/style/noRestrictedImports: the test reads the shared fixture files; parse itself stays pure
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFragment } from 'parse5';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDate } from './dates.js';
import { parse } from './index.js';
import {
  CONFORMANCE_DIR,
  HAS_CONFORMANCE,
  readCase,
  readJsonl,
} from './testdata/shared-documents.js';

const here = dirname(fileURLToPath(import.meta.url));
const sharedDir = CONFORMANCE_DIR;
const available = HAS_CONFORMANCE;

interface Assert {
  path: string;
  eq?: unknown;
  html?: string;
  encoding?: string;
  absent?: boolean;
  len?: number;
  contains?: string;
}
interface Vector {
  case: string;
  url?: string;
  http?: Record<string, string>;
  asserts: Assert[];
}
interface DateVector {
  case: string;
  input: string;
  expect: string | null;
}

const DEVIATIONS_FILE = join(here, '../sanitize/testdata/deliberate-deviations.json');
/** Cases where Orrery deliberately differs from feedparser (absent or empty: none). */
const deviations: Record<string, string> = existsSync(DEVIATIONS_FILE)
  ? JSON.parse(readFileSync(DEVIATIONS_FILE, 'utf8'))
  : {};
/** True known failures; a case that is also a deliberate deviation counts as the deviation. */
const expectedFailures: Record<string, string> = Object.fromEntries(
  Object.entries(
    JSON.parse(
      readFileSync(join(here, 'testdata/conformance-expected-failures.json'), 'utf8'),
    ) as Record<string, string>,
  ).filter(([c]) => !(c in deviations)),
);

function get(root: unknown, path: string): { parent: unknown; value: unknown; key: string } {
  const parts = path.split('.');
  let parent: unknown;
  let value: unknown = root;
  let key = '';
  for (const p of parts) {
    parent = value;
    key = p;
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[p]
        : undefined;
  }
  return { parent, value, key };
}

function deepEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEq(x, b[i]));
  if (
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) =>
      deepEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    );
  }
  return false;
}

// ---- the html op: parse5 fragment, re-serialized canonically (see the conformance README) ----

const VOID = new Set(
  'area base br col embed hr img input link meta param source track wbr'.split(' '),
);
const BLOCK =
  'address|article|aside|blockquote|body|br|dd|details|dialog|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|head|header|hr|html|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul';

interface P5Node {
  nodeName: string;
  tagName?: string;
  value?: string;
  data?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: P5Node[];
  content?: P5Node;
}

function normStyle(s: string): string {
  return s
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => {
      const i = d.indexOf(':');
      return i === -1
        ? d.toLowerCase()
        : `${d.slice(0, i).trim().toLowerCase()}: ${d.slice(i + 1).trim()}`;
    })
    .join('; ');
}

function esc(s: string, attr: boolean): string {
  let r = s.replace(/&/g, '&amp;').replace(/\u00a0/g, '&nbsp;');
  r = attr ? r.replace(/"/g, '&quot;') : r.replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return r;
}

function ser(nodes: P5Node[], pre: boolean): string {
  let out = '';
  for (const n of nodes) {
    if (n.nodeName === '#text') {
      const v = esc(n.value ?? '', false);
      out += pre ? v : v.replace(/\s+/g, ' ');
    } else if (n.nodeName === '#comment') out += `<!--${n.data ?? ''}-->`;
    else if (n.tagName) {
      const attrs = [...(n.attrs ?? [])]
        .map((a) => ({ name: a.name, value: a.name === 'style' ? normStyle(a.value) : a.value }))
        .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
      out += `<${n.tagName}${attrs.map((a) => ` ${a.name}="${esc(a.value, true)}"`).join('')}>`;
      if (VOID.has(n.tagName)) continue;
      const kids = n.tagName === 'template' ? (n.content?.childNodes ?? []) : (n.childNodes ?? []);
      out += ser(kids, pre || n.tagName === 'pre' || n.tagName === 'textarea');
      out += `</${n.tagName}>`;
    }
  }
  return out;
}

function normHtml(html: string): string {
  const frag = parseFragment(html) as unknown as P5Node;
  const s = ser(frag.childNodes ?? [], false);
  return s.replace(new RegExp(`\\s*(</?(?:${BLOCK})\\b[^>]*>)\\s*`, 'g'), '$1').trim();
}

// ---- encodings ----

const aliases: Record<string, string> = available
  ? JSON.parse(readFileSync(join(sharedDir, 'encoding-aliases.json'), 'utf8'))
  : {};

function canonEncoding(name: string): string {
  const k = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return aliases[k] ?? k;
}

function check(result: unknown, a: Assert): string | undefined {
  const { parent, value, key } = get(result, a.path);
  const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 300) ?? 'undefined';
  if ('eq' in a)
    return deepEq(value, a.eq)
      ? undefined
      : `${a.path}: expected ${show(a.eq)}, got ${show(value)}`;
  if (a.html !== undefined) {
    if (typeof value !== 'string')
      return `${a.path}: expected html ${show(a.html)}, got ${show(value)}`;
    const x = normHtml(a.html);
    const y = normHtml(value);
    return x === y ? undefined : `${a.path}: expected html ${show(x)}, got ${show(y)}`;
  }
  if (a.encoding !== undefined) {
    return typeof value === 'string' && canonEncoding(value) === canonEncoding(a.encoding)
      ? undefined
      : `${a.path}: expected encoding ${a.encoding}, got ${show(value)}`;
  }
  if (a.absent) {
    if (parent === null || typeof parent !== 'object') return `${a.path}: parent missing`;
    return (parent as Record<string, unknown>)[key] === undefined
      ? undefined
      : `${a.path}: expected absent, got ${show(value)}`;
  }
  if (a.len !== undefined)
    return Array.isArray(value) && value.length === a.len
      ? undefined
      : `${a.path}: expected length ${a.len}, got ${show(value)}`;
  if (a.contains !== undefined)
    return typeof value === 'string' && value.includes(a.contains)
      ? undefined
      : `${a.path}: expected to contain ${show(a.contains)}, got ${show(value)}`;
  return `${a.path}: unknown assertion op`;
}

/** Run every vector; returns case id → failure message (passing cases map to undefined). */
function runAll(): Map<string, string | undefined> {
  const results = new Map<string, string | undefined>();
  for (const v of readJsonl<Vector>('vectors.jsonl')) {
    const bytes = readCase(v);
    let failure: string | undefined;
    try {
      const opts: Parameters<typeof parse>[1] = {};
      if (v.url) opts.url = v.url;
      if (v.http) opts.headers = v.http;
      const r = parse(new Uint8Array(bytes), opts);
      const msgs = v.asserts.map((a) => check(r, a)).filter((m): m is string => m !== undefined);
      if (msgs.length > 0) failure = msgs.join('; ');
    } catch (err) {
      failure = `threw: ${err instanceof Error ? err.message : String(err)}`;
    }
    results.set(v.case, failure);
  }
  for (const d of readJsonl<DateVector>('dates.jsonl')) {
    const got = parseDate(d.input);
    const want = d.expect ?? undefined;
    results.set(
      d.case,
      got === want
        ? undefined
        : `parseDate(${JSON.stringify(d.input)}): expected ${want}, got ${got}`,
    );
  }
  return results;
}

describe.skipIf(!available)('conformance vectors (../shared/conformance)', () => {
  let results: Map<string, string | undefined>;
  beforeAll(() => {
    results = runAll();
  });

  it('passes at least 99.5% of the vectors and every date, deviations aside', () => {
    const counted = [...results].filter(([c]) => !(c in deviations));
    const figure = (rows: typeof counted): string => {
      const passed = rows.filter(([, f]) => f === undefined).length;
      return `${passed}/${rows.length} (${((100 * passed) / rows.length).toFixed(2)}%)`;
    };
    const docs = counted.filter(([c]) => !c.startsWith('date:'));
    const dates = counted.filter(([c]) => c.startsWith('date:'));
    const devs = [...results].filter(([c]) => c in deviations);
    const lines = [
      `conformance: vectors ${figure(docs)}, dates ${figure(dates)}, all ${figure(counted)}` +
        ` passed; ${devs.length} deliberate deviation(s) not counted`,
      ...devs.map(([c, f]) => `  deviation ${c}: ${f === undefined ? 'passes anyway' : f}`),
      ...counted.filter(([, f]) => f !== undefined).map(([c, f]) => `  failure ${c}: ${f}`),
    ];
    console.log(lines.join('\n'));
    const passed = docs.filter(([, f]) => f === undefined).length;
    expect((100 * passed) / docs.length).toBeGreaterThanOrEqual(99.5);
    expect(dates.filter(([, f]) => f !== undefined).map(([c, f]) => `${c}: ${f}`)).toEqual([]);
  });

  it('has no failure missing from the expected-failures list (regressions)', () => {
    const unexpected = [...results].filter(
      ([c, f]) => f !== undefined && !(c in expectedFailures) && !(c in deviations),
    );
    expect(unexpected.map(([c, f]) => `${c}: ${f}`)).toEqual([]);
  });

  it('has no expected failure that now passes (remove it from the list)', () => {
    const fixed = Object.keys(expectedFailures).filter(
      (c) => results.has(c) && results.get(c) === undefined,
    );
    expect(fixed).toEqual([]);
  });
});

if (!available) {
  describe('conformance vectors', () => {
    it.skip(`skipped: ${sharedDir} not found (CI clones shared/ beside the repo)`, () => {});
  });
}
