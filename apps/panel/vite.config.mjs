import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The SPA of the operator panel: built into dist/apps/panel/web, served by the panel's BFF (same origin, /api).
const root = fileURLToPath(new URL('./web', import.meta.url));
export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('../../dist/apps/panel/web', import.meta.url)), emptyOutDir: true, sourcemap: true },
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:3006' } },
});
