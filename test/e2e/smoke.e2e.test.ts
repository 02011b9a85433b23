// Smoke test of the built app in Debian's Chromium: the page loads, React renders the shell, and
// nothing is logged as an error.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser';

describe('the built playground page', () => {
  let s: BrowserSession;
  beforeAll(async () => {
    s = await openBrowser();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('renders the application shell without errors', async () => {
    await s.page.goto(inject('baseUrl'));
    await s.page.getByRole('heading', { name: 'Raft playground' }).waitFor();
    expect(await s.page.title()).toBe('Raft playground');
    expect(s.errors).toEqual([]);
  });

  it('is cross-origin isolated (COOP/COEP), so timers are fine-grained for measurements', async () => {
    await s.page.goto(inject('baseUrl'));
    expect(await s.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  });
});
