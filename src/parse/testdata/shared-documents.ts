/**
 * The shared test documents beside the repository (../shared): the conformance vectors and
 * the corpus, read the same way by every test that needs them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CONFORMANCE_DIR = resolve(import.meta.dirname, '../../../../shared/conformance');
export const CORPUS_FILES_DIR = resolve(import.meta.dirname, '../../../../shared/corpus/files');
/** CI clones shared/ beside the repository; elsewhere the tests that need it are skipped. */
export const HAS_CONFORMANCE = existsSync(join(CONFORMANCE_DIR, 'vectors.jsonl'));
export const HAS_CORPUS = existsSync(CORPUS_FILES_DIR);

/** One JSON value per line of a conformance file ('vectors.jsonl', 'dates.jsonl'). */
export function readJsonl<T>(file: string): T[] {
  return readFileSync(join(CONFORMANCE_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export interface ConformanceVector {
  case: string;
  url?: string;
  /** Response headers, names in lower case. */
  http?: Record<string, string>;
}

/** A vector's document. */
export function readCase(v: ConformanceVector): Buffer {
  return readFileSync(join(CONFORMANCE_DIR, 'cases', v.case));
}

/** Every corpus document, by file name, in name order ([] when the corpus is not there). */
export function corpusDocuments(): { name: string; bytes: Buffer }[] {
  if (!HAS_CORPUS) return [];
  return readdirSync(CORPUS_FILES_DIR)
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(CORPUS_FILES_DIR, name)) }));
}
