// A session in the real app, as a person has it: etcdctl through the console (put, then a watch
// that streams an event and is stopped with Ctrl+C), the timeline scrubbed back and forward, a
// reload that resumes the cluster from IndexedDB, and a share link that replays the run.
// Everything the page shows is cross-checked with `window.playground`.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type BrowserSession } from './browser';

async function runInConsole(page: Page, line: string): Promise<void> {
  const input = page.getByTestId('console-input');
  await input.fill(line);
  await input.press('Enter');
}

describe('a session in the app', () => {
  let s: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    s = await openBrowser({ viewport: { width: 1280, height: 720 } });
    page = s.page;
    await page.goto(`${inject('baseUrl')}?seed=4&nodes=3`);
    await page.waitForFunction(() => window.playground?.leader() !== undefined, null, { timeout: 20_000 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs members in workers on IndexedDB, and leaves the new-cluster parameters out of the address', async () => {
    expect(await page.evaluate(() => `${window.playground!.options.executor} ${window.playground!.options.storage}`)).toBe('worker indexeddb');
    expect(new URL(page.url()).search).toBe('');
  });

  it('puts and watches through the console', async () => {
    await page.getByRole('tab', { name: /Console/ }).click();
    await runInConsole(page, 'put greeting hello');
    await page.getByTestId('console-output').getByText('OK').waitFor();
    await runInConsole(page, 'watch greeting');
    // The watch runs until stopped; a put from the API shows up in its stream.
    await page.getByRole('button', { name: /Stop etcdctl watch greeting/ }).waitFor();
    await page.evaluate(() => window.playground!.exec('etcdctl put greeting bonjour'));
    await page.getByTestId('console-output').getByText(/PUT\s+greeting\s+bonjour/).waitFor({ timeout: 15_000 });
    await page.getByTestId('console-input').press('Control+c');
    await page.getByRole('button', { name: /Stop etcdctl watch greeting/ }).waitFor({ state: 'detached' });
    const got = await page.evaluate(async () => (await window.playground!.exec('etcdctl get greeting --print-value-only')).stdout);
    expect(got.trim()).toBe('bonjour');
  });

  it('scrubs back to an earlier instant and forward to the live run', async () => {
    await page.waitForFunction(() => window.playground!.now() > 3000);
    const box = (await page.getByTestId('timeline').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.05, box.y + box.height / 2);
    await page.waitForFunction(() => window.playground!.timeline.viewing);
    const past = await page.evaluate(() => ({ now: window.playground!.now(), end: window.playground!.timeline.end }));
    expect(past.now).toBeLessThan(past.end * 0.3);
    await page.getByTestId('past-badge').waitFor();
    // Early in the run nothing was written yet: the keyspace on screen is the past one.
    expect(await page.evaluate(async () => (await window.playground!.nodeKeyspace(window.playground!.status()[0]!.id)).kvs.map((kv) => kv.key))).toEqual([]);
    // The DOM's clock shows the instant on screen.
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="virtual-time"]')?.getAttribute('data-ms')) === Math.round(t), past.now);
    // Keyboard: the strip is a slider.
    await page.getByTestId('timeline').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => window.playground!.now() === t + 1000, past.now);
    await page.getByTestId('back-to-live').click();
    await page.waitForFunction(() => !window.playground!.timeline.viewing);
    expect(await page.evaluate(() => window.playground!.now())).toBeGreaterThanOrEqual(past.end);
    expect(await page.getByTestId('past-badge').count()).toBe(0);
  });

  it('resumes the cluster after a reload, with its data and its clock', async () => {
    await page.evaluate(() => window.playground!.pause());
    await page.evaluate(() => window.playground!.persistNow());
    const before = await page.evaluate(() => ({ now: window.playground!.now(), members: window.playground!.status().map((n) => n.name) }));
    await page.reload();
    await page.waitForFunction(() => window.playground !== undefined && window.playground.status().length > 0, null, { timeout: 20_000 });
    const after = await page.evaluate(() => ({ now: window.playground!.now(), members: window.playground!.status().map((n) => n.name) }));
    expect(after.now).toBe(before.now);
    expect(after.members).toEqual(before.members);
    await page.getByText(/Resumed the saved cluster/).waitFor();
    await page.waitForFunction(() => window.playground!.leader() !== undefined, null, { timeout: 20_000 });
    const got = await page.evaluate(async () => (await window.playground!.exec('etcdctl get greeting --print-value-only')).stdout);
    expect(got.trim()).toBe('bonjour');
  });

  it('stops the clock and raises an alarm when a safety property fails', async () => {
    await page.evaluate(() => window.playground!.play(1));
    // Feed the live checker the evidence of a second leader in a term (what a bug would produce).
    await page.evaluate(() => {
      const p = window.playground!;
      const [a, b] = p.status();
      const st = { role: 'StateLeader', term: 999, lead: 0, vote: 0, commit: 0, applied: 0, lastIndex: 0, firstIndex: 1, revision: 1e9, isLearner: false, name: '' };
      p.invariants.observe({ type: 'status', time: p.now(), node: a!.id, status: { ...st, name: a!.name } as never });
      p.invariants.observe({ type: 'status', time: p.now(), node: b!.id, status: { ...st, name: b!.name } as never });
    });
    await page.getByTestId('alarm').getByText(/Election Safety/).waitFor();
    await page.waitForFunction(() => !window.playground!.playing);
    await page.getByRole('button', { name: 'Dismiss the alarm' }).click();
    expect(await page.getByTestId('alarm').count()).toBe(0);
  });

  it('shares a run as a link that replays it', async () => {
    await page.getByTestId('new-cluster').click();
    await page.getByTestId('new-seed').fill('12');
    await page.getByTestId('new-nodes').selectOption('3');
    await page.getByTestId('new-start').click();
    await page.waitForFunction(() => window.playground?.seed === 12 && window.playground.leader() !== undefined, null, { timeout: 20_000 });
    await page.evaluate(() => window.playground!.exec('etcdctl put shared yes'));
    const rec = await page.evaluate(() => window.playground!.record());
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('share-run').click();
    await page.getByText(/Link to this run copied/).waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toContain('?run=r1.');
    await page.goto(link);
    await page.waitForFunction(() => window.playground?.seed === 12, null, { timeout: 20_000 });
    expect(await page.evaluate(() => window.playground!.record().actions.length)).toBe(rec.actions.length);
    const end = rec.actions[rec.actions.length - 1]!.t + 2000;
    await page.evaluate(() => window.playground!.pause());
    await page.evaluate((t) => window.playground!.advance(Math.max(0, t - window.playground!.now())), end);
    const got = await page.evaluate(async () => (await window.playground!.nodeKeyspace(window.playground!.leader()!)).kvs.map((kv) => `${kv.key}=${kv.value}`));
    expect(got).toEqual(['shared=yes']);
    expect(s.errors).toEqual([]);
  });
});
