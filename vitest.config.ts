// Vitest: the `unit` project runs everything in Node (fake-indexeddb stands in for IndexedDB).
// Browser tests are driven by playwright-core from test/e2e (see `npm run test:browser`).
import { defineConfig, mergeConfig, configDefaults } from 'vitest/config';
import viteConfig from './vite.config';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            environment: 'node',
            include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
            exclude: [...configDefaults.exclude, '**/*.browser.test.*', 'test/e2e/**'],
            testTimeout: 60_000,
          },
        },
      ],
    },
  }),
);
