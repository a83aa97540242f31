import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import wasm from 'vite-plugin-wasm';
import { VitePWA } from 'vite-plugin-pwa';
import { modelsFolder } from './tooling/models-folder.ts';
import { contentSecurityHeaders } from './tooling/csp.ts';
import { startChunk } from './tooling/start-chunk.ts';
import { dexieModern } from './tooling/dexie-modern.ts';

export default defineConfig({
  plugins: [
    svelte(),
    wasm(),
    dexieModern(),
    modelsFolder(),
    contentSecurityHeaders(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      includeAssets: ['favicon.svg', 'icons/*.png'],
      manifest: {
        name: 'Mneme: private memory for your assistant',
        short_name: 'Mneme',
        description: 'A private assistant memory that never leaves your device.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        theme_color: '#4338ca',
        background_color: '#f8fafc',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,ico,wasm,webmanifest}'],
        // The ONNX-runtime WASM is the app's own code (~26 MB); model weights are never precached.
        maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/models\//],
        runtimeCaching: [
          { urlPattern: /\/models\/manifest\.json$/, handler: 'NetworkFirst', options: { cacheName: 'mneme-models-manifest' } },
          {
            urlPattern: /\/models\/.+/,
            handler: 'CacheFirst',
            options: { cacheName: 'mneme-models', cacheableResponse: { statuses: [200] } },
          },
        ],
      },
    }),
  ],
  worker: {
    format: 'es',
    plugins: () => [wasm(), dexieModern()],
    // The memory worker's start path in one chunk (see tooling/start-chunk.ts).
    rolldownOptions: { output: { codeSplitting: { groups: [startChunk('memory-start', 'src/worker/memory.worker.ts')] } } },
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { port: 5173 },
  preview: { port: 4173 },
});
