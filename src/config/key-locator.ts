/** A key path into a parsed TOML document: table names, array-of-tables indices, keys. */
export type KeyPath = readonly (string | number)[];

/** Splits a dotted TOML key (`a."b.c".d`) into its parts. */
export function splitDottedKey(key: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of key) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '.') {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current.trim());
  return parts;
}

/** Formats a key path the way a user reads it: `feeds[3].filters.include`. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

const HEADER_RE = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;
const KEY_RE =
  /^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/;

/** A table header or key line of TOML text, as found by scanTomlLines. */
export type TomlLine =
  | { kind: 'header'; index: number; isArray: boolean; parts: string[] }
  | { kind: 'key'; index: number; parts: string[] };

/**
 * Lists the table headers and `key =` lines of TOML text (0-based line index), skipping the
 * insides of multi-line strings and arrays. Best effort: enough to point at lines and edit text.
 */
export function scanTomlLines(text: string): TomlLine[] {
  const lines = text.split(/\r?\n/);
  const out: TomlLine[] = [];
  let skipUntil: string | undefined;
  let bracketDepth = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (skipUntil) {
      if (line.includes(skipUntil)) skipUntil = undefined;
      continue;
    }
    if (bracketDepth > 0) {
      bracketDepth += bracketBalance(line);
      continue;
    }
    const header = HEADER_RE.exec(line);
    if (header && !KEY_RE.test(line)) {
      out.push({
        kind: 'header',
        index: i,
        isArray: header[1] === '[[',
        parts: splitDottedKey(header[2] ?? ''),
      });
      continue;
    }
    const key = KEY_RE.exec(line);
    if (key) {
      out.push({ kind: 'key', index: i, parts: splitDottedKey(key[1] ?? '') });
      const value = line.slice(key[0].length);
      for (const delim of ['"""', "'''"]) {
        if (countOf(value, delim) % 2 === 1) skipUntil = delim;
      }
      if (!skipUntil) bracketDepth = Math.max(0, bracketBalance(value));
    }
  }
  return out;
}

/**
 * Finds the 1-based line of a key path in TOML text, or of its nearest enclosing table or key
 * when the key itself is absent (a missing key is reported at its table's header).
 */
export function findKeyLine(text: string, path: KeyPath): number | undefined {
  const arrayCounts = new Map<string, number>();
  let table: (string | number)[] = [];
  let best: { line: number; length: number } | undefined;
  for (const item of scanTomlLines(text)) {
    let full: (string | number)[];
    if (item.kind === 'header') {
      table = resolveHeader(item.parts, item.isArray, arrayCounts);
      full = table;
    } else {
      full = [...table, ...item.parts];
    }
    // A table written as an array of tables ([[site]]) is found at its header.
    if (item.kind === 'header' && full.length > path.length && isPrefix(path, full)) {
      return item.index + 1;
    }
    if (!isPrefix(full, path)) continue;
    if (full.length === path.length) return item.index + 1;
    if (!best || full.length > best.length) best = { line: item.index + 1, length: full.length };
  }
  return best?.line;
}

function resolveHeader(
  parts: string[],
  isArray: boolean,
  arrayCounts: Map<string, number>,
): (string | number)[] {
  const resolved: (string | number)[] = [];
  for (let j = 0; j < parts.length; j++) {
    resolved.push(parts[j] ?? '');
    const id = resolved.join('\u0000');
    const last = j === parts.length - 1;
    if (last && isArray) {
      const n = (arrayCounts.get(id) ?? -1) + 1;
      arrayCounts.set(id, n);
      resolved.push(n);
    } else if (arrayCounts.has(id)) {
      resolved.push(arrayCounts.get(id) ?? 0);
    }
  }
  return resolved;
}

function isPrefix(prefix: readonly (string | number)[], path: KeyPath): boolean {
  if (prefix.length > path.length) return false;
  return prefix.every((part, i) => part === path[i]);
}

function countOf(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

/** Net `[` minus `]` outside strings and comments (for arrays that span lines). */
function bracketBalance(s: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') break;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
  }
  return depth;
}
