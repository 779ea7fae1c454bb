#!/usr/bin/env node
import './check-node.js';

// Output piped into `head` and the like: stop writing quietly instead of crashing mid-run.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

const { main } = await import('../functions/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
