/**
 * Packages that only a few documents need (legacy charsets, charset detection, h-feed pages)
 * are loaded the first time one does, synchronously, so parse() stays synchronous. They stay
 * out of the bundle (scripts/bundle.js, `external`) and resolve from node_modules, from the
 * bundle and from the tsc output alike: the parser chunk every changed feed loads lost ~1 MB
 * of them (docs/decisions/parse.md, 13). Loading code reads no input and leaves parse() pure.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** A getter that requires package `name` (its CommonJS entry) on its first call, then keeps it. */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(name) as T;
    return loaded;
  };
}
