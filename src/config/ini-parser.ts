/**
 * A small INI reader for Planet Venus / Planet 2.0 (Python 2 ConfigParser) and Pluto files.
 * The `ini` package cannot read them: it splits section names on dots, so every feed URL
 * `[http://example.org/feed.xml]` becomes nested objects, and it has no continuation lines.
 */

export interface IniEntry {
  /** Lowercased, as ConfigParser's optionxform does. */
  key: string;
  value: string;
  line: number;
}

export interface IniSection {
  /** As written (case kept: section names are case-sensitive in ConfigParser). */
  name: string;
  line: number;
  entries: IniEntry[];
}

export interface IniDocument {
  /** Keys before the first section (Pluto files put the planet's title there). */
  preamble: IniEntry[];
  /** Sections in file order; a repeated section is merged into its first occurrence. */
  sections: IniSection[];
  /** Lines that are neither comment, section, key nor continuation. */
  invalid: { line: number; text: string }[];
  /** Repeated sections and keys (the later value wins, as in Python 2). */
  duplicates: { line: number; what: string }[];
}

const SECTION_RE = /^\[(.+)\]\s*$/;
const SECTION_LOOSE_RE = /^\[([^\]]+)\]/;
// A key ends at the first '=' or ':'; a ':' must be followed by space or end, so a continuation
// line holding a URL ("  http://…") is not taken for a key "http".
const KEY_RE = /^\s*([^:=\s][^:=]*?)\s*(=|:(?=\s|$))\s*(.*)$/;

/** Reads INI text into sections of entries, keeping line numbers; never throws. */
export function parseIni(text: string): IniDocument {
  const doc: IniDocument = { preamble: [], sections: [], invalid: [], duplicates: [] };
  const byName = new Map<string, IniSection>();
  let entries = doc.preamble;
  let current: { entry: IniEntry; startedEmpty: boolean } | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '') {
      current = undefined;
      return;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (/^rem\s/i.test(trimmed) && !/^\s/.test(raw)) return; // ConfigParser also skips "rem" lines
    const indented = /^\s/.test(raw);

    if (!indented) {
      const header = SECTION_RE.exec(raw) ?? SECTION_LOOSE_RE.exec(raw);
      if (header) {
        const name = (header[1] ?? '').trim();
        let section = byName.get(name);
        if (section) doc.duplicates.push({ line: lineNo, what: `section [${name}]` });
        else {
          section = { name, line: lineNo, entries: [] };
          byName.set(name, section);
          doc.sections.push(section);
        }
        entries = section.entries;
        current = undefined;
        return;
      }
    }

    const key = KEY_RE.exec(raw);
    const continues = indented && current !== undefined && (current.startedEmpty || key === null);
    if (continues && current) {
      const value = stripInlineComment(trimmed);
      current.entry.value = current.entry.value === '' ? value : `${current.entry.value}\n${value}`;
      return;
    }
    if (key) {
      const name = (key[1] ?? '').trim().toLowerCase();
      const value = stripInlineComment((key[3] ?? '').trim());
      const existing = entries.findIndex((e) => e.key === name);
      if (existing !== -1) {
        doc.duplicates.push({ line: lineNo, what: `key ${name}` });
        entries.splice(existing, 1);
      }
      const entry = { key: name, value, line: lineNo };
      entries.push(entry);
      current = { entry, startedEmpty: value === '' };
      return;
    }
    doc.invalid.push({ line: lineNo, text: trimmed });
  });
  return doc;
}

/** Python 2 ConfigParser drops "; comment" when the ';' follows whitespace. */
function stripInlineComment(value: string): string {
  const m = /\s;/.exec(value);
  return m ? value.slice(0, m.index).trimEnd() : value;
}

/** The value of a key in a section's entries, if present. */
export function iniValue(entries: IniEntry[], key: string): string | undefined {
  return entries.find((e) => e.key === key)?.value;
}
