/**
 * The web UI's build. `vite build` writes dist/ (index.html + hashed assets) for `god web` to
 * serve under a strict CSP: no inline script or style may appear in index.html. `vite` (dev)
 * proxies /api to a running `god web` (GOD_WEB_URL, default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const target = process.env['GOD_WEB_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // Workspace packages are compiled from their TypeScript sources (not a `source` export
  // condition: some npm packages, react-aria's among them, name unpublished files with it).
  resolve: {
    alias: {
      '@god/core/browser': src('../core/src/browser.ts'),
      '@god/client': src('../client/src/index.ts'),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill is an inline <script>: the CSP (script-src 'self') would block it, and every
    // browser god supports has modulepreload.
    modulePreload: { polyfill: false },
    // Images and fonts stay files: the CSP allows data: for images only.
    assetsInlineLimit: 0,
    sourcemap: true,
    // The budget that counts is scripts/ui-budget.ts (initial JS gzipped), run after the build.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false, ws: false },
    },
  },
});
