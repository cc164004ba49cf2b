/** Text helpers (domain-free, pure). */

/** Text folded for comparing: compatibility forms (NFKC), lower case, runs of space as one. */
export function foldText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(SPACE_TO_FOLD, ' ').trim();
}

/**
 * Whitespace that folding changes: a run of two or more, or one that is not a plain space.
 * Same result as replacing every /\s+/ with ' ', but a lone space (most of them) is left alone
 * instead of being replaced by itself: half the cost of folding (docs/decisions.md, Shared
 * helpers).
 */
const SPACE_TO_FOLD = /\s{2,}|[^\S ]/gu;
