// Browser tests: build the app, serve it with `vite preview` on a free port, and hand the URL to
// the tests. Chromium itself is launched per test file (see browser.ts).
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

let server: PreviewServer | undefined;

/** Its own output directory, so a build for the tests never races `npm run build` or a benchmark. */
const OUT_DIR = 'node_modules/.e2e-dist';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    // Vitest runs with NODE_ENV=test, which would make Vite bundle React's development build:
    // the tests drive the production build, as people get it.
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ logLevel: 'warn', mode: 'production', build: { outDir: OUT_DIR, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = env;
    }
  }
  server = await preview({ build: { outDir: OUT_DIR }, preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('preview server has no port');
  project.provide('baseUrl', `http://127.0.0.1:${address.port}/`);
  return async () => {
    await server?.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
