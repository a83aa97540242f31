/**
 * The service worker, through vite-plugin-pwa (`registerType: 'prompt'`): it is registered here,
 * and a new version waits until the person chooses to reload. Nothing reloads by itself.
 */
import { registerSW } from 'virtual:pwa-register';

export class PwaState {
  /** A new version is installed and waiting for a reload. */
  needRefresh = $state(false);
  /** The app shell is cached: the page opens without a network. */
  offlineReady = $state(false);
  /** The browser offers to install the app (it fired `beforeinstallprompt`); our button shows its prompt. */
  canInstall = $state(false);
  #update: ((reloadPage?: boolean) => Promise<void>) | undefined;
  #installPrompt: (Event & { prompt(): Promise<unknown> }) | undefined;

  start(): void {
    addEventListener('beforeinstallprompt', (event) => {
      // Keep the browser's own mini-infobar away: the app offers installing in its footer instead.
      event.preventDefault();
      this.#installPrompt = event as Event & { prompt(): Promise<unknown> };
      this.canInstall = true;
    });
    addEventListener('appinstalled', () => {
      this.canInstall = false;
      this.#installPrompt = undefined;
    });
    if (!('serviceWorker' in navigator)) return;
    // A page the worker already controls was served by it: it works offline already.
    this.offlineReady = navigator.serviceWorker.controller !== null;
    this.#update = registerSW({
      onNeedRefresh: () => (this.needRefresh = true),
      onOfflineReady: () => (this.offlineReady = true),
      onRegisterError: (error: unknown) => console.warn('Service worker registration failed', error),
    });
  }

  /** Activates the waiting version; the page reloads once it takes control. */
  async reload(): Promise<void> {
    this.needRefresh = false;
    await this.#update?.(true);
  }

  /** Shows the browser's install dialog (once: the event cannot be reused). */
  async install(): Promise<void> {
    const prompt = this.#installPrompt;
    this.#installPrompt = undefined;
    this.canInstall = false;
    await prompt?.prompt();
  }

  later(): void {
    this.needRefresh = false;
  }
}
