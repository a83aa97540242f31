/**
 * `mneme/vite`: the one line a Vite host adds, `plugins: [mneme()]`. It builds workers as ES
 * modules (Mneme's workers load their model libraries as lazy chunks, which Vite's default classic
 * worker format would inline) and keeps `mneme` out of dependency pre-bundling in the dev server
 * (pre-bundling cannot follow a worker inside a package).
 */
interface VitePluginLike {
  name: string;
  config(): { worker: { format: 'es' }; optimizeDeps: { exclude: string[] } };
}

export default function mneme(): VitePluginLike {
  return {
    name: 'mneme',
    config: () => ({ worker: { format: 'es' }, optimizeDeps: { exclude: ['mneme'] } }),
  };
}
