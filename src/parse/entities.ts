/**
 * Character and entity references in XML text, decoded the way feeds need: the five XML
 * entities, the document's own simple DTD entities, and — recovering — HTML's named entities
 * (feeds use &nbsp; without a DTD), bare '&', Windows-1252 code points written as &#146;, and
 * UTF-8 bytes written one reference per byte (&#226;&#128;&#166; is '…').
 */
import { decodeHTMLStrict } from 'entities';
import { group } from '../lib/regex.js';

const XML_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/**
 * Windows-1252 characters for the C1 range 0x80-0x9F, which feeds write meaning cp1252 (as
 * references here, as raw characters in decode.ts): feeds that mean ’ write U+0092.
 */
export const CP1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** An '&' that does not start one of the five XML entities. */
const NOT_XML_ENTITY = /&(?!(?:lt|gt|amp|quot|apos);)/;

const REF = /&(?:#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}))|([A-Za-z][A-Za-z0-9._:-]{0,40}))?;?/g;

/** The character an HTML named entity stands for, or undefined. */
export function htmlEntity(name: string): string | undefined {
  // HTML 4 (the era of these feeds) mapped &lang; and &rang; to U+2329/U+232A; HTML 5 changed them
  if (name === 'lang') return '\u2329';
  if (name === 'rang') return '\u232a';
  const s = '&' + name + ';';
  const d = decodeHTMLStrict(s);
  return d === s ? undefined : d;
}

function fromCodePoint(cp: number): string {
  if (cp >= 0x80 && cp <= 0x9f) return CP1252_C1[cp - 0x80] ?? '\ufffd';
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(cp);
}

/** If the code points (all < 256) are the bytes of valid multi-byte UTF-8, decode them. */
function utf8Run(cps: number[]): string | undefined {
  if (cps.length < 2 || (cps[0] ?? 0) < 0xc2) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(cps));
  } catch {
    // not UTF-8 after all: the references stand for Latin-1/cp1252 characters
    return undefined;
  }
}

/**
 * Decode references in a run of XML text. `report` is called for each recovery (undeclared or
 * unknown entity, bare '&').
 */
export function decodeEntities(
  s: string,
  declared: Map<string, string>,
  report: (msg: string) => void,
): string {
  // Most text (escaped HTML in RSS) holds only the five XML entities: native replaces instead
  // of a callback per reference. &amp; goes last, so '&amp;lt;' stays '&lt;'.
  if (!NOT_XML_ENTITY.test(s)) {
    return s
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&apos;', "'")
      .replaceAll('&amp;', '&');
  }
  let out = '';
  let last = 0;
  /** a pending run of references to code points 0x80-0xFF (possible UTF-8 bytes) */
  let run: number[] = [];
  let runEnd = -1;
  const flush = (): void => {
    if (run.length === 0) return;
    const u = utf8Run(run);
    if (u !== undefined) out += u;
    else for (const cp of run) out += fromCodePoint(cp);
    run = [];
  };
  REF.lastIndex = 0;
  for (let m = REF.exec(s); m; m = REF.exec(s)) {
    const start = m.index;
    const full = m[0];
    const hasSemi = full.endsWith(';');
    if (run.length > 0 && start !== runEnd) flush();
    out += s.slice(last, start);
    last = start + full.length;
    if (m[1] !== undefined || m[2] !== undefined) {
      const cp = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number.parseInt(group(m, 2), 10);
      if (!hasSemi) report('character reference without ;');
      if (cp >= 0x80 && cp <= 0xff) {
        run.push(cp);
        runEnd = last;
        continue;
      }
      flush();
      out += fromCodePoint(cp);
      continue;
    }
    const name = m[3];
    if (name !== undefined && hasSemi) {
      const x = XML_ENTITIES[name];
      if (x !== undefined) {
        flush();
        out += x;
        continue;
      }
      const d = declared.get(name);
      if (d !== undefined) {
        flush();
        out += d;
        continue;
      }
      const h = htmlEntity(name);
      if (h !== undefined) {
        report(`undeclared entity &${name};`);
        const cp = h.codePointAt(0) ?? 0;
        if (h.length === 1 && cp >= 0x80 && cp <= 0xff) {
          run.push(cp);
          runEnd = last;
          continue;
        }
        flush();
        out += h;
        continue;
      }
      report(`unknown entity &${name};`);
      flush();
      out += full;
      continue;
    }
    report("bare '&' in text");
    flush();
    out += full;
  }
  flush();
  out += s.slice(last);
  return out;
}
