// Vite configuration shared by the dev server, the build and Vitest (vitest.config.ts merges it).
// COOP/COEP make the page cross-origin isolated so performance.now() has fine resolution for the
// benchmarks; the app loads nothing cross-origin, so it loses nothing.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The app, and a page without UI that exposes the API to browser tests and benchmarks.
    rolldownOptions: { input: { main: 'index.html', harness: 'harness.html' } },
  },
});
