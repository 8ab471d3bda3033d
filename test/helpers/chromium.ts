import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

/** Whether browser tests run here: with Chromium installed, and always in CI (where a missing one fails). */
export const browserTestsRun = haveChromium || inCi;

/** Says plainly, once per file, that a browser test was skipped and how to run it. */
export function warnIfSkipped(file: string): void {
  if (browserTestsRun) return;
  console.warn(
    `\n  SKIPPED: the browser test ${file} needs Debian's Chromium at ${CHROMIUM}.\n` +
      '  Install it with `apt-get install chromium` (as .ci/run does) and run `npm test` again.\n',
  );
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // This machine has only loopback: let WebRTC gather host candidates there, without mDNS names.
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      ...extraArgs,
    ],
  });
}
