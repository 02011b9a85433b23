// Vitest: the `unit` project runs everything in Node (fake-indexeddb stands in for IndexedDB);
// the `e2e` project builds the app, serves it and drives Debian's Chromium with playwright-core.
import { defineConfig, mergeConfig, configDefaults } from 'vitest/config';
import viteConfig from './vite.config.ts';

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
        {
          extends: true,
          test: {
            name: 'e2e',
            environment: 'node',
            include: ['test/e2e/**/*.e2e.test.ts'],
            globalSetup: ['test/e2e/globalSetup.ts'],
            testTimeout: 120_000,
            hookTimeout: 120_000,
            // One Chromium at a time: the machine has two cores.
            fileParallelism: false,
          },
        },
      ],
    },
  }),
);
