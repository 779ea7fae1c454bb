#!/usr/bin/env node
// The dashboard's browser test drives Debian's Chromium (playwright-core downloads no browser). On a fresh
// Debian machine, as root, this installs it from the distribution's packages; otherwise it says what to do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const apt = (...args) =>
    execFileSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  const install = () => apt('install', '-y', '--no-install-recommends', 'chromium');
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`the tests need ${CHROMIUM} (Debian's chromium package): sudo apt-get install chromium`);
    process.exit(1);
  }
  console.error(`installing Debian's chromium for the dashboard's browser test (${CHROMIUM} is missing)`);
  try {
    install();
  } catch {
    apt('update');
    install();
  }
}
