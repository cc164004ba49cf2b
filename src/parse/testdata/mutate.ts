/**
 * Mutations of real documents for the parser fuzz (fuzz.test.ts): a seeded generator, so a
 * failure is reproduced by its seed and index.
 */

/** xorshift32: small, fast, and the same sequence for the same seed on every machine. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What breaks feed readers: markup, entities, declarations, encodings, bases, bad bytes. */
const TOKENS = [
  '<',
  '>',
  '&',
  '&amp;',
  '&#x110000;',
  '&#0;',
  '&#xD800;',
  '&nbsp;',
  '&undefined;',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '\u0000',
  '"',
  "'",
  '<item>',
  '</item>',
  '<entry>',
  '</entry>',
  '<channel>',
  '</feed>',
  '<title type="html">',
  '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">',
  '<description>&lt;script&gt;alert(1)&lt;/script&gt;',
  '<description><![CDATA[<img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>]]>',
  '<!DOCTYPE rss [<!ENTITY a "&b;&b;"><!ENTITY b "bbbbbbbb">]>',
  '<?xml version="1.0" encoding="utf-16"?>',
  '<?xml version="1.0" encoding="cp500"?>',
  '<?xml version="1.0" encoding="bogus"?>',
  ' xml:base="javascript:alert(1)//"',
  ' xml:base="http://[::1"',
  ' xml:base="../../"',
  ' xmlns="http://www.w3.org/2005/Atom"',
  ' xmlns:x="http://x.invalid/"',
  ' href="javascript:alert(1)"',
  '<pubDate>Sun, 99 Jun 2009 25:61:61 +zz:00</pubDate>',
  '<updated>2003-335T25:00Z</updated>',
  '\u00e9',
  '\ufffd',
  '\u202e',
].map(enc);

type Op = (b: Uint8Array, r: () => number) => Uint8Array;

const at = (b: Uint8Array, r: () => number): number => Math.floor(r() * (b.length + 1));

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
};

const OPS: Op[] = [
  // insert a token
  (b, r) => {
    const i = at(b, r);
    return concat(b.subarray(0, i), TOKENS[Math.floor(r() * TOKENS.length)]!, b.subarray(i));
  },
  // delete up to 64 bytes
  (b, r) => {
    const i = at(b, r);
    return concat(b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + Math.floor(r() * 64))));
  },
  // repeat a stretch of up to 2 KB up to 8 times (repeated elements, deep nesting)
  (b, r) => {
    const i = at(b, r);
    const piece = b.subarray(i, Math.min(b.length, i + 1 + Math.floor(r() * 2048)));
    const copies = Array.from({ length: 1 + Math.floor(r() * 8) }, () => piece);
    return concat(b.subarray(0, i), ...copies, b.subarray(i));
  },
  // overwrite a byte (invalid UTF-8, stray controls)
  (b, r) => {
    if (b.length === 0) return b;
    const out = b.slice();
    out[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    return out;
  },
  // truncate
  (b, r) => b.subarray(0, at(b, r)),
];

/** One mutant of `doc`: 1 to 8 operations drawn from `r`. */
export function mutate(doc: Uint8Array, r: () => number): Uint8Array {
  let b = doc;
  const n = 1 + Math.floor(r() * 8);
  for (let k = 0; k < n; k++) b = OPS[Math.floor(r() * OPS.length)]!(b, r);
  return b;
}
