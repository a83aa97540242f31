import { defineConfig } from 'vite';
import mneme from 'mneme/vite';

// The one line Mneme needs: workers as ES modules, and the package left out of dev pre-bundling.
export default defineConfig({ plugins: [mneme()] });
