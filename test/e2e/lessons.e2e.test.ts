// A guided lesson in the real app, driven from the keyboard like a presenter with a clicker:
// ?lesson=check-quorum opens it on its own in-memory cluster, the arrow keys (panel focused),
// PageDown and "." step it, each step plays back and then shows its checks in the DOM (icon and
// word), and PageUp goes back one step: the Playground seeks to that step's start, plays it again
// and ends on the very instant the step ended at. Everything is cross-checked with
// window.playground.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type BrowserSession } from './browser';

const panel = '[data-testid="lesson-panel"]';

async function shown(page: Page, step: number): Promise<void> {
  await page.waitForSelector(`${panel}[data-step="${step}"][data-phase="shown"]`, { timeout: 60_000 });
}

/** The checks on screen: verdict word, label, and the data-ok flag. */
async function checks(page: Page): Promise<Array<{ ok: string | null; verdict: string; label: string }>> {
  return page.$$eval('[data-testid="lesson-checks"] li', (lis) =>
    lis.map((li) => ({
      ok: li.getAttribute('data-ok'),
      verdict: li.querySelector('.lesson-check-verdict')?.textContent ?? '',
      label: li.querySelector('.lesson-check-label')?.textContent ?? '',
    })),
  );
}

describe('a guided lesson', () => {
  let s: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    s = await openBrowser({ viewport: { width: 1280, height: 720 } });
    page = s.page;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens from ?lesson= on its own cluster, at its introduction', async () => {
    await page.goto(`${inject('baseUrl')}?lesson=check-quorum`);
    await page.waitForSelector(`${panel}[data-phase="intro"]`, { timeout: 20_000 });
    await page.getByRole('heading', { name: /Check-quorum: a cut-off leader steps down/ }).waitFor();
    const opts = await page.evaluate(() => ({ ...window.playground!.options, now: window.playground!.now() }));
    expect(opts).toMatchObject({ nodes: 5, seed: 3, checkQuorum: true, preVote: true, executor: 'inline', storage: 'memory', now: 0 });
    // The panel has the focus, so the arrow keys step the lesson.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('lesson-panel');
  });

  it('steps forward with the keyboard; every step shows its checks, and they hold', async () => {
    await page.keyboard.press('ArrowRight');
    await shown(page, 1);
    let cs = await checks(page);
    expect(cs.length).toBeGreaterThan(0);
    expect(cs.every((c) => c.ok === 'true' && c.verdict === 'Holds')).toBe(true);
    // ArrowRight in the panel stepped the lesson, not the simulation: the clock sits at the step's end.
    const end1 = Number(await page.locator(panel).getAttribute('data-ended-at'));
    expect(end1).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.playground!.now())).toBe(end1);
    expect(await page.evaluate(() => window.playground!.leader() !== undefined)).toBe(true);

    await page.keyboard.press('PageDown');
    await page.waitForSelector(`${panel}[data-step="2"]`);
    await shown(page, 2);
    cs = await checks(page);
    expect(cs.map((c) => c.label)).toContain('The old leader stepped down by itself');
    expect(cs.every((c) => c.ok === 'true' && c.verdict === 'Holds')).toBe(true);
    // The DOM's verdicts are the cluster's: exactly one member calls itself leader.
    expect(await page.evaluate(() => window.playground!.status().filter((n) => n.alive && n.role === 'StateLeader').length)).toBe(1);
    expect(await page.getByTestId('lesson-checks-summary').textContent()).toMatch(/^All \d+ checks hold/);

    await page.keyboard.press('.');
    await shown(page, 3);
    cs = await checks(page);
    expect(cs.every((c) => c.ok === 'true')).toBe(true);
    expect(new URL(page.url()).searchParams.get('step')).toBe('3');
  });

  it('steps back once: seeks to the previous step, plays it again, and ends where it ended', async () => {
    const end3 = Number(await page.locator(panel).getAttribute('data-ended-at'));
    await page.keyboard.press('PageUp');
    await page.waitForSelector(`${panel}[data-step="2"]`);
    // It plays back from the step's start: an earlier instant is on screen meanwhile.
    await shown(page, 2);
    const cs = await checks(page);
    expect(cs.every((c) => c.ok === 'true' && c.verdict === 'Holds')).toBe(true);
    const endedAt = Number(await page.locator(panel).getAttribute('data-ended-at'));
    expect(await page.evaluate(() => window.playground!.now())).toBe(endedAt);
    expect(endedAt).toBeLessThan(end3);
    expect(await page.evaluate(() => window.playground!.timeline.end)).toBeGreaterThanOrEqual(end3);
    // Going back did not fork the run: the recorded future (step 3) is still ahead.
    expect(await page.evaluate(() => window.playground!.timeline.viewing)).toBe(true);
    expect(new URL(page.url()).searchParams.get('step')).toBe('2');
    // And the old leader is a follower again at this instant, as the checks say.
    expect(await page.evaluate(() => window.playground!.status().filter((n) => n.alive && n.role === 'StateLeader').length)).toBe(1);
  });

  it('toggles presenter mode with p', async () => {
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.documentElement.dataset.presenter === 'on');
    expect(await page.getByTestId('presenter-toggle').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.documentElement.dataset.presenter === undefined);
    expect(s.errors).toEqual([]);
  });
});

describe('lessons from the playground', () => {
  let s: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    s = await openBrowser({ viewport: { width: 1280, height: 720 } });
    page = s.page;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens a lesson from the Lessons button, on a cluster of its own, without a reload', async () => {
    await page.goto(`${inject('baseUrl')}?seed=2`);
    await page.waitForFunction(() => window.playground?.leader() !== undefined, null, { timeout: 20_000 });
    const own = await page.evaluate(() => window.playground!.options.executor);
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await page.getByTestId('lessons-open').click();
    await page.getByRole('dialog', { name: 'Guided lessons' }).waitFor();
    await page.getByTestId('lesson-open-watch-compaction').click();
    await page.waitForSelector(`${panel}[data-phase="intro"]`);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(await page.evaluate(() => [window.playground!.options.executor, window.playground!.now()])).toEqual(['inline', 0]);
    expect(new URL(page.url()).searchParams.get('lesson')).toBe('watch-compaction');
    expect(own).toBe('worker');
  });

  it('sets the person’s own changes aside when the lesson goes on', async () => {
    await page.locator(panel).focus();
    await page.keyboard.press('PageDown');
    await shown(page, 1);
    // The person kills a member after step 1; the next step starts from the end of step 1 again.
    await page.evaluate(() => window.playground!.kill(window.playground!.status()[0]!.id));
    await page.keyboard.press('PageDown');
    await shown(page, 2);
    await page.getByText(/Your changes to the cluster were set aside: the lesson continues from the end of step 1/).waitFor();
    expect(await page.evaluate(() => window.playground!.status().every((n) => n.alive))).toBe(true);
    expect((await checks(page)).every((c) => c.ok === 'true')).toBe(true);
    // The step's etcdctl command is in the Console tab.
    await page.getByRole('tab', { name: /Console/ }).click();
    await page.getByText('etcdctl watch config --rev=2').first().waitFor();
  });

  it('leaves the lesson for the page’s own cluster', async () => {
    await page.getByRole('button', { name: 'Leave the lesson' }).click();
    await page.waitForFunction(() => !location.search.includes('lesson') && window.playground?.leader() !== undefined, null, { timeout: 20_000 });
    expect(await page.evaluate(() => window.playground!.options.executor)).toBe('worker');
    expect(await page.locator(panel).count()).toBe(0);
    expect(s.errors).toEqual([]);
  });
});
