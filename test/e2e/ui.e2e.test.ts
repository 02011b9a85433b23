// The playground's UI, driven like a person would drive it, in Debian's Chromium against the built
// app. Goal: the page shows the cluster's real state and its controls act on the real cluster.
// Method: click the UI's own controls (node glyphs, the Kill button, a link, the time controls),
// read roles and times back from the DOM (data-role, data-ms, data-state attributes), and
// cross-check every observation with `window.playground`, the live Playground instance.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type BrowserSession } from './browser';

async function leaderName(page: Page): Promise<string> {
  const handle = await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid="cluster-view"] .node[data-role="StateLeader"]');
      return el?.getAttribute('data-name') ?? false;
    },
    null,
    { timeout: 20_000 },
  );
  return (await handle.jsonValue()) as string;
}

describe('the playground UI', () => {
  let s: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    s = await openBrowser({ viewport: { width: 1280, height: 720 } });
    page = s.page;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('draws the live cluster and exposes it as window.playground', async () => {
    await page.goto(`${inject('baseUrl')}?seed=1`);
    await page.getByRole('heading', { name: 'Raft playground' }).waitFor();
    const lead = await leaderName(page);
    // The DOM and the API agree on every member's role (after the next frame has drawn it).
    await page.waitForFunction(() => {
      const dom = [...document.querySelectorAll('[data-testid="cluster-view"] .node')].map((el) => `${el.getAttribute('data-name')}:${el.getAttribute('data-role')}`);
      const api = window.playground!.status().map((n) => `${n.name}:${n.role}`);
      return dom.length === 5 && dom.sort().join() === api.sort().join();
    });
    expect(await page.evaluate(() => window.playground!.status().find((n) => n.id === window.playground!.leader())?.name)).toBe(lead);
    expect(await page.evaluate(() => window.playground!.playing)).toBe(true);
    expect(await page.evaluate(() => window.playground!.speed)).toBe(1);
    expect(s.errors).toEqual([]);
  });

  it('kills the leader with its Kill button, and a new leader appears', async () => {
    const old = await leaderName(page);
    await page.locator(`[data-testid="cluster-view"] .node[data-name="${old}"]`).click();
    await page.getByTestId('node-inspector').waitFor();
    await page.getByTestId('node-kill').click();

    // The killed member is drawn as down, and the API says it is not alive.
    await page.locator(`.node[data-name="${old}"][data-visual-role="down"]`).waitFor({ timeout: 10_000 });
    expect(await page.evaluate((name) => window.playground!.status().find((n) => n.name === name)?.alive, old)).toBe(false);

    // A different member becomes leader in the DOM ...
    const handle = await page.waitForFunction(
      (oldName) => {
        const el = document.querySelector('[data-testid="cluster-view"] .node[data-role="StateLeader"]');
        const name = el?.getAttribute('data-name');
        return name !== undefined && name !== null && name !== oldName ? name : false;
      },
      old,
      { timeout: 30_000 },
    );
    const fresh = (await handle.jsonValue()) as string;
    expect(fresh).not.toBe(old);
    // ... and the API agrees: it is the leader, alive, in a higher term than the old one's.
    const st = await page.evaluate(() => window.playground!.status());
    const freshStatus = st.find((n) => n.name === fresh)!;
    const oldStatus = st.find((n) => n.name === old)!;
    expect(freshStatus.role).toBe('StateLeader');
    expect(freshStatus.alive).toBe(true);
    expect(freshStatus.term).toBeGreaterThan(oldStatus.term);
    // The header says who leads.
    await page.waitForFunction((name) => document.querySelector('[data-testid="leader-name"]')?.textContent === name, fresh);

    // Restart the old leader with its Restart button; it comes back as a follower.
    await page.getByTestId('node-restart').click();
    await page.waitForFunction((name) => document.querySelector(`.node[data-name="${name}"]`)?.getAttribute('data-role') === 'StateFollower', old, { timeout: 20_000 });
    expect(await page.evaluate((name) => window.playground!.status().find((n) => n.name === name)?.alive, old)).toBe(true);
  });

  it('cuts a link when it is clicked, and the messages on it are dropped', async () => {
    const lead = await leaderName(page);
    const link = page.locator(`[data-testid="cluster-view"] .link[data-link*="${lead}"]`).first();
    const a = (await link.getAttribute('data-a'))!;
    const b = (await link.getAttribute('data-b'))!;
    await page.evaluate(() => {
      const w = window as unknown as { __drops: Array<{ from: number; to: number; reason?: string }> };
      w.__drops = [];
      window.playground!.subscribe((e) => {
        if (e.type === 'message' && e.phase === 'drop') w.__drops.push({ from: e.message.from, to: e.message.to, reason: e.message.dropReason });
      });
    });
    await link.click();

    // The link is drawn cut, and the network agrees in both directions.
    await page.locator(`.link[data-a="${a}"][data-b="${b}"][data-state="down"]`).waitFor();
    const states = await page.evaluate(
      ([x, y]) => window.playground!.links().filter((l) => (l.from.toString(16) === x && l.to.toString(16) === y) || (l.from.toString(16) === y && l.to.toString(16) === x)).map((l) => l.state.up),
      [a, b],
    );
    expect(states).toEqual([false, false]);

    // A message on that link is drawn dying (the leader heartbeats every tick) ...
    await page.waitForSelector(
      `.msg[data-phase="dropped"][data-from="${a}"][data-to="${b}"], .msg[data-phase="dropped"][data-from="${b}"][data-to="${a}"]`,
      { timeout: 10_000 },
    );
    // ... because the cluster dropped it: "link down".
    const drops = await page.evaluate(() => (window as unknown as { __drops: Array<{ from: number; to: number; reason?: string }> }).__drops);
    const onLink = drops.filter((d) => [d.from.toString(16), d.to.toString(16)].sort().join() === [a, b].sort().join());
    expect(onLink.length).toBeGreaterThan(0);
    expect(onLink.every((d) => d.reason === 'link down')).toBe(true);

    // Clicking it again restores it.
    await page.locator(`.link[data-a="${a}"][data-b="${b}"]`).click();
    await page.locator(`.link[data-a="${a}"][data-b="${b}"][data-state="up"]`).waitFor();
    expect(await page.evaluate(() => window.playground!.links().every((l) => l.state.up))).toBe(true);
  });

  it('pauses, steps one tick, one event and one message, and changes speed', async () => {
    await page.getByTestId('play-pause').click();
    await page.waitForFunction(() => !window.playground!.playing);
    const paused = await page.evaluate(() => window.playground!.now());
    await page.waitForTimeout(400);
    expect(await page.evaluate(() => window.playground!.now())).toBe(paused);
    // The clock on the page shows the simulation's time once it has caught up.
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="virtual-time"]')?.getAttribute('data-ms')) === Math.round(t), paused);

    await page.getByTestId('step-tick').click();
    const tickMs = await page.evaluate(() => window.playground!.cluster.timing.tickMs);
    // Members run in workers: the tick's events take a few round trips; it ends exactly one tick on.
    await page.waitForFunction((t) => window.playground!.now() >= t, paused + tickMs);
    expect(await page.evaluate(() => window.playground!.now())).toBe(paused + tickMs);
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="virtual-time"]')?.getAttribute('data-ms')) === Math.round(t), paused + tickMs);

    const before = await page.evaluate(() => ({ t: window.playground!.now(), pos: window.playground!.cluster.position }));
    await page.getByTestId('step-event').click();
    await page.waitForFunction((p) => window.playground!.cluster.position === p + 1, before.pos);
    expect(await page.evaluate(() => window.playground!.now())).toBeGreaterThanOrEqual(before.t);

    const seen = page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const off = window.playground!.subscribe((e) => {
            if (e.type === 'message' && (e.phase === 'deliver' || e.phase === 'drop') && e.message.channel !== 'client') {
              off();
              resolve(`${e.phase} ${e.message.type}`);
            }
          });
        }),
    );
    await page.getByTestId('step-message').click();
    expect(await seen).toMatch(/^(deliver|drop) Msg/);
    expect(await page.evaluate(() => window.playground!.playing)).toBe(false);

    // Speed: the slider's steps run from 1/100× to max.
    await page.getByTestId('speed').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => window.playground!.speed)).toBe(0.1);
    await page.getByTestId('play-pause').click();
    await page.waitForFunction(() => window.playground!.playing);
    const t0 = await page.evaluate(() => window.playground!.now());
    await page.waitForTimeout(1000);
    const advanced = (await page.evaluate(() => window.playground!.now())) - t0;
    // One wall second at 1/10× is about 100 ms of virtual time (loose bounds: a busy machine).
    expect(advanced).toBeGreaterThan(30);
    expect(advanced).toBeLessThan(200);
  });

  it('answers the keyboard: space, digits, ? and Escape', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const wasPlaying = await page.evaluate(() => window.playground!.playing);
    await page.keyboard.press('Space');
    await page.waitForFunction((p) => window.playground!.playing !== p, wasPlaying);
    await page.keyboard.press('2');
    const second = await page.evaluate(() => window.playground!.status()[1]!.name);
    await page.locator(`.node[data-name="${second}"][aria-pressed="true"]`).waitFor();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard and legend' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(s.errors).toEqual([]);
  });
});
