#!/usr/bin/env node
// The installed command: runs the compiled CLI (npm run build writes dist/).

// DNS lookups (getaddrinfo) run on libuv's thread pool, 4 threads by default: a few hosts
// whose resolver times out would stall every other feed's lookup behind them. The pool is
// created on first use, so this must be set before anything else runs.
process.env.UV_THREADPOOL_SIZE ??= '32';

// `orrery export | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
