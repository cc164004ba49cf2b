/** Text helpers (domain-free, pure). */

/** Text folded for comparing: compatibility forms (NFKC), lower case, runs of space as one. */
export function foldText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}
