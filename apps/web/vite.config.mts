import { defineConfig } from 'vite';

/**
 * The console's build: into dist/web, which the API serves at `/`. No inline script is emitted
 * (the API's Content-Security-Policy allows scripts from 'self' only). JSX is compiled by Vite's
 * own transform (React's automatic runtime); no plugin is needed to build.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    rolldownOptions: {
      // React Query marks its hooks "use client" for server-component bundlers; meaningless here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' } },
});
