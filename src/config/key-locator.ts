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

/**
 * Finds the 1-based line of a key path in TOML text, or of its nearest enclosing table or key
 * when the key itself is absent (a missing key is reported at its table's header).
 * Best effort: it reads headers and `key =` lines, skipping multi-line strings and arrays.
 */
export function findKeyLine(text: string, path: KeyPath): number | undefined {
  const lines = text.split(/\r?\n/);
  const arrayCounts = new Map<string, number>();
  let table: (string | number)[] = [];
  let best: { line: number; length: number } | undefined;
  let skipUntil: string | undefined;
  let bracketDepth = 0;

  const consider = (full: (string | number)[], lineNo: number): boolean => {
    if (!isPrefix(full, path)) return false;
    if (full.length === path.length) return true;
    if (!best || full.length > best.length) best = { line: lineNo, length: full.length };
    return false;
  };

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
      const isArray = header[1] === '[[';
      const parts = splitDottedKey(header[2] ?? '');
      table = resolveHeader(parts, isArray, arrayCounts);
      if (consider(table, i + 1)) return i + 1;
      continue;
    }
    const key = KEY_RE.exec(line);
    if (key) {
      const full = [...table, ...splitDottedKey(key[1] ?? '')];
      if (consider(full, i + 1)) return i + 1;
      const value = line.slice(key[0].length);
      for (const delim of ['"""', "'''"]) {
        if (countOf(value, delim) % 2 === 1) skipUntil = delim;
      }
      if (!skipUntil) bracketDepth = Math.max(0, bracketBalance(value));
    }
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
