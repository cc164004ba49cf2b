#!/usr/bin/env node
// The installed command: runs the compiled CLI (npm run build writes dist/).

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
let entry;
try {
  entry = await import('../dist/bundle/main.js');
} catch (error) {
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !String(error.message).includes('dist/bundle/main.js')
  )
    throw error;
  entry = await import('../dist/cli/main.js');
}
const { main } = entry;
process.exitCode = await main(process.argv);
