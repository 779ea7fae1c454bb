#!/usr/bin/env node
// npm puts node_modules/.bin first on PATH, so scripts run on the pinned Node 22 from the
// node-<platform> optional dependency; this guard explains what to do when that is missing.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `a360 needs Node.js 22 or later, but resolved node v${process.versions.node} (${process.execPath}).\n` +
      'Run it through npm (npm start, npm test, npx a360) after `npm ci`, which installs Node 22 from the\n' +
      'npm registry for this platform; or install Node.js 22 yourself.',
  );
  process.exit(1);
}
