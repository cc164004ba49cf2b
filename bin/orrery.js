#!/usr/bin/env -S node --max-semi-space-size=4
// The installed command: runs the compiled CLI (npm run build writes dist/).
// --max-semi-space-size=4 (MB; V8 reads it only when the heap is made, so it is here, in the
// shebang): V8's young generation is 2 × 16 MB by default, and Orrery's peak memory is mostly
// young garbage. On the 600-feed farm planet it took 28-33 MB off every peak (cold build
// 159-160 → 123-128 MB, warm run 136-137 → 108-111 MB, cold run 189 → 160 MB) at the same CPU
// (docs/decisions/render.md). `node bin/orrery.js` (the tests) runs without it.

// DNS lookups (getaddrinfo) run on libuv's thread pool, 4 threads by default: a few hosts
// whose resolver times out would stall every other feed's lookup behind them. The pool is
// created on first use, so this must be set before anything else runs.
process.env.UV_THREADPOOL_SIZE ??= '32';

// V8 settings for a batch job that should stay small (measured in docs/decisions.md, CLI):
// - WebAssembly on the baseline compiler only: undici's HTTP parser (llhttp) is WebAssembly,
//   and optimizing it costs about 0.25 s of CPU and a 30 MB peak per start, more than parsing
//   response headers ever wins back;
// - the old generation grows by 30 % between full collections instead of up to 4×: a cold
//   run's live heap is ~40 MB, and the default let garbage push its peak past 250 MB.
// A flag the user passed to node (or in NODE_OPTIONS) wins.
{
  const given = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  const { setFlagsFromString } = await import('node:v8');
  if (!/liftoff|wasm-tier/.test(given)) setFlagsFromString('--liftoff-only');
  if (!/heap-growing/.test(given)) setFlagsFromString('--heap-growing-percent=30');
}

// `orrery export | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// dist/bundle/ is the CLI bundled by `npm run build` (a few files instead of ~550 modules: half
// the start-up CPU); dist/cli/ is the plain tsc output, used when only tsc was run.
/** @type {{ main: (argv: string[]) => Promise<number> }} */
let entry;
try {
  // dist/bundle/ is esbuild's output, without declarations: the specifier is cast so that tsc
  // neither resolves nor checks it (`entry` has its type declared above).
  entry = await import(/** @type {string} */ ('../dist/bundle/main.js'));
} catch (/** @type {any} */ error) {
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !String(error.message).includes('dist/bundle/main.js')
  )
    throw error;
  entry = await import('../dist/cli/main.js');
}
const { main } = entry;
process.exitCode = await main(process.argv);
