// Screenshots of the playground in its main states, for the docs and for reviewing the UI.
// Builds the app, serves it with `vite preview` on a free port, drives Debian's Chromium through
// the UI's own controls (clicks and keys; window.playground only to wait for a state and to pause at
// the right moment) and writes PNGs to docs/screenshots/.
//
//   node scripts/screenshots.mjs            build, then shoot everything
//   SKIP_BUILD=1 node scripts/screenshots.mjs   reuse the previous build (in the OS temp folder)
//   ONLY=election node scripts/screenshots.mjs  shots whose name contains "election"

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'screenshots');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A build of our own, so a test run rebuilding dist/ meanwhile cannot pull pages from under us. */
const distDir = join(tmpdir(), 'raft-playground-screenshots-dist');

/** Waits until the page's display clock has caught up with a paused simulation. */
async function settle(page) {
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="virtual-time"]');
    return el !== null && Number(el.getAttribute('data-ms')) === Math.round(window.playground.now());
  });
  await page.waitForTimeout(250);
}

async function pause(page) {
  if (await page.evaluate(() => window.playground.playing)) await page.getByTestId('play-pause').click();
  await settle(page);
}

async function waitForLeader(page) {
  await page.waitForSelector('[data-testid="cluster-view"] .node[data-role="StateLeader"]', { timeout: 30_000 });
}

async function clickLeader(page) {
  await page.locator('[data-testid="cluster-view"] .node[data-role="StateLeader"]').first().click();
}

/** Sets the speed slider to the given step (0 = 1/100×, 4 = 1×, 7 = max) with the keyboard. */
async function setSpeedStep(page, step) {
  const slider = page.getByTestId('speed');
  await slider.focus();
  const current = Number(await slider.inputValue());
  const key = step > current ? 'ArrowRight' : 'ArrowLeft';
  for (let i = 0; i < Math.abs(step - current); i++) await page.keyboard.press(key);
  await page.locator('body').click({ position: { x: 2, y: 2 } });
}

async function clientPuts(page, n) {
  for (let i = 0; i < n; i++) await page.getByTestId('client-put').click();
}

/** Steps a guided lesson with the clicker's key and waits for each step's checks. */
async function lessonSteps(page, n) {
  await page.locator('[data-testid="lesson-panel"][data-phase="intro"]').waitFor({ timeout: 30_000 });
  for (let i = 1; i <= n; i++) {
    await page.keyboard.press('PageDown');
    await page.locator(`[data-testid="lesson-panel"][data-step="${i}"][data-phase="shown"]`).waitFor({ timeout: 60_000 });
  }
  await settle(page);
}

const SHOTS = [
  {
    name: 'steady-leader-light-1280x720',
    url: '?seed=1&theme=light',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      await clientPuts(page, 3);
      await page.waitForTimeout(1200);
      await pause(page);
    },
  },
  {
    name: 'steady-leader-dark-1280x720',
    url: '?seed=1&theme=dark',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      await clientPuts(page, 3);
      await page.waitForTimeout(1200);
      await pause(page);
    },
  },
  {
    name: 'steady-leader-light-1920x1080',
    url: '?seed=1&theme=light',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await waitForLeader(page);
      await clientPuts(page, 4);
      await page.waitForTimeout(1500);
      await pause(page);
    },
  },
  {
    name: 'steady-leader-dark-1920x1080',
    url: '?seed=1&theme=dark',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await waitForLeader(page);
      await clientPuts(page, 4);
      await page.waitForTimeout(1500);
      await pause(page);
    },
  },
  {
    name: 'election-in-progress-light-1280x720',
    url: '?seed=1&theme=light',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      await clickLeader(page);
      await setSpeedStep(page, 3); // 1/3×: the election is easy to follow
      await page.getByTestId('node-kill').click();
      await page.waitForFunction(() => window.playground.status().some((s) => s.role === 'StateCandidate'), null, { timeout: 30_000 });
      // Let the vote requests get under way, then freeze the moment.
      await page.waitForTimeout(120);
      await pause(page);
    },
  },
  {
    name: 'election-in-progress-dark-1920x1080',
    url: '?seed=7&nodes=7&theme=dark&prevote=1',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await waitForLeader(page);
      await clickLeader(page);
      await setSpeedStep(page, 2); // 1/10×
      await page.getByTestId('node-kill').click();
      await page.waitForFunction(() => window.playground.status().some((s) => s.role === 'StatePreCandidate' || s.role === 'StateCandidate'), null, { timeout: 30_000 });
      await page.waitForTimeout(250);
      await pause(page);
    },
  },
  {
    name: 'partitioned-minority-dark-1280x720',
    url: '?seed=1&theme=dark',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      const old = await page.evaluate(() => window.playground.leader());
      await page.getByTestId('preset-split').click();
      await page.waitForFunction((o) => { const l = window.playground.leader(); return l !== undefined && l !== o; }, old, { timeout: 30_000 });
      await clientPuts(page, 3);
      await page.waitForTimeout(900);
      await pause(page);
    },
  },
  {
    name: 'partitioned-minority-light-1920x1080',
    url: '?seed=1&theme=light',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await waitForLeader(page);
      const old = await page.evaluate(() => window.playground.leader());
      await page.getByTestId('preset-split').click();
      await page.waitForFunction((o) => { const l = window.playground.leader(); return l !== undefined && l !== o; }, old, { timeout: 30_000 });
      await clientPuts(page, 3);
      await page.waitForTimeout(900);
      await pause(page);
    },
  },
  {
    name: 'logs-panel-light-1920x1080',
    url: '?seed=3&theme=light',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await waitForLeader(page);
      // A lagging follower: slow its disk, write a burst, and catch it behind.
      const follower = page.locator('[data-testid="cluster-view"] .node[data-role="StateFollower"]').first();
      await follower.click();
      await page.getByRole('radio', { name: 'Disk latency 500 ms' }).click();
      await clientPuts(page, 14);
      await page.waitForTimeout(700);
      await pause(page);
    },
  },
  {
    name: 'message-inspector-light-1280x720',
    url: '?seed=1&theme=light',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      await setSpeedStep(page, 1); // 1/30×
      await clientPuts(page, 1);
      await page.waitForSelector('.msg[data-type="MsgApp"]', { timeout: 10_000 });
      await pause(page);
      await page.locator('.msg[data-type="MsgApp"]').first().dispatchEvent('pointerdown');
      await page.getByTestId('message-inspector').waitFor();
      await page.waitForTimeout(400);
    },
  },
  {
    name: 'data-and-console-dark-1280x720',
    url: '?seed=1&theme=dark',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      await clientPuts(page, 5);
      await page.getByRole('tab', { name: 'Console' }).click();
      const input = page.getByTestId('console-input');
      await input.fill('put greeting hello');
      await input.press('Enter');
      await input.fill('get greeting -w json');
      await input.press('Enter');
      await page.waitForTimeout(800);
      await pause(page);
    },
  },
  {
    name: 'data-panel-light-1280x720',
    url: '?seed=1&theme=light',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      await clientPuts(page, 6);
      await page.waitForTimeout(800);
      await page.getByRole('tab', { name: 'Data' }).click();
      await page.waitForTimeout(300);
      await pause(page);
    },
  },
  {
    name: 'help-light-1280x720',
    url: '?seed=1&theme=light',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await waitForLeader(page);
      await pause(page);
      await page.keyboard.press('?');
      await page.getByRole('dialog').waitFor();
      await page.waitForTimeout(300);
    },
  },
  {
    name: 'learner-and-isolated-leader-dark-3840x2160',
    url: '?seed=2&theme=dark',
    viewport: { width: 3840, height: 2160 },
    async drive(page) {
      await waitForLeader(page);
      // etcd refuses membership changes until the cluster has been healthy for a while.
      await setSpeedStep(page, 6);
      await page.waitForFunction(() => window.playground.now() > 7000, null, { timeout: 30_000 });
      await setSpeedStep(page, 4);
      await page.getByRole('button', { name: 'Add a learner (non-voting member)' }).click();
      await page.waitForFunction(() => window.playground.status().some((s) => s.isLearner && s.alive), null, { timeout: 30_000 });
      await page.getByTestId('preset-isolate').click();
      await page.waitForTimeout(2500);
      await pause(page);
    },
  },
  {
    name: 'lesson-pre-vote-light-1280x720',
    url: '?lesson=pre-vote&theme=light',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await lessonSteps(page, 2);
    },
  },
  {
    name: 'lesson-log-repair-dark-1920x1080',
    url: '?lesson=log-repair&theme=dark',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await lessonSteps(page, 4);
    },
  },
  {
    name: 'presenter-check-quorum-light-1280x720',
    url: '?lesson=check-quorum&presenter&theme=light',
    viewport: { width: 1280, height: 720 },
    async drive(page) {
      await lessonSteps(page, 2);
    },
  },
  {
    name: 'presenter-log-repair-dark-1920x1080',
    url: '?lesson=log-repair&presenter&theme=dark',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await lessonSteps(page, 3);
    },
  },
  {
    name: 'presenter-lease-light-1920x1080',
    url: '?lesson=lease-leader-change&presenter&theme=light',
    viewport: { width: 1920, height: 1080 },
    async drive(page) {
      await lessonSteps(page, 3);
    },
  },
];

async function main() {
  mkdirSync(outDir, { recursive: true });
  if (process.env.SKIP_BUILD !== '1') await build({ root, logLevel: 'warn', build: { outDir: distDir, emptyOutDir: true } });
  const server = await preview({ root, build: { outDir: distDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const address = server.httpServer.address();
  const base = `http://127.0.0.1:${address.port}/`;
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-shots-')), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const only = process.env.ONLY;
  let failed = 0;
  try {
    for (const shot of SHOTS) {
      if (only !== undefined && !shot.name.includes(only)) continue;
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().includes('favicon')) errors.push(m.text());
      });
      try {
        await page.setViewportSize(shot.viewport);
        await page.goto(base + shot.url);
        await page.getByRole('heading', { name: 'Raft playground' }).waitFor();
        await shot.drive(page);
        const file = join(outDir, `${shot.name}.png`);
        await page.screenshot({ path: file });
        console.log(`wrote ${file}${errors.length > 0 ? `  (page errors: ${errors.join(' | ')})` : ''}`);
      } catch (err) {
        failed++;
        console.error(`FAILED ${shot.name}: ${err.message}`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await context.close();
    await server.close();
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
