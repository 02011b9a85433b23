// Builds the app with Vite (the same production build `npm run build` makes, plus a manifest for
// the bundle metric), serves dist/ with `vite preview` on 127.0.0.1 and a free port, and opens
// Debian's Chromium through playwright-core (test/e2e/browser.ts, the browser tests' launcher).

import { execFileSync } from 'node:child_process';
import { build, preview, type PreviewServer } from 'vite';
import { openBrowser, CHROMIUM_PATH, type BrowserSession } from '../../test/e2e/browser';

export { openBrowser, type BrowserSession };

/** `vite build` into dist/ with .vite/manifest.json (entry chunks and their static imports). */
export async function buildApp(): Promise<void> {
  await build({ logLevel: 'warn', build: { manifest: true } });
}

export interface Served {
  baseUrl: string;
  close(): Promise<void>;
}

export async function serveDist(): Promise<Served> {
  const server: PreviewServer = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('preview server has no port');
  return { baseUrl: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

/** The Chromium version string ("Chromium 156.0.8078.79 built on Debian …"). */
export function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}
