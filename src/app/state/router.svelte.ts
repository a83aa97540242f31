/**
 * Hash routes, so the installed app opens on any screen offline and the back button works:
 * `#/chat/<session>`, `#/memory/<tab>`, `#/settings`, `#/welcome`.
 */
export type View = 'chat' | 'memory' | 'settings' | 'welcome';

export const MEMORY_TABS = ['facts', 'profile', 'episodes', 'summaries', 'archive'] as const;
export type MemoryTab = (typeof MEMORY_TABS)[number];

export interface Route {
  view: View;
  /** The session (chat) or the tab (memory). */
  param?: string;
}

export function parseRoute(hash: string): Route {
  const [view, param] = hash.replace(/^#\/?/, '').split('/');
  switch (view) {
    case 'memory':
      return { view, param: MEMORY_TABS.includes(param as MemoryTab) ? param! : 'facts' };
    case 'settings':
    case 'welcome':
      return { view };
    default:
      return param ? { view: 'chat', param: decodeURIComponent(param) } : { view: 'chat' };
  }
}

export function href(route: Route): string {
  return `#/${route.view}${route.param ? `/${encodeURIComponent(route.param)}` : ''}`;
}

export class Router {
  route = $state<Route>(parseRoute(location.hash));

  start(): () => void {
    const follow = () => (this.route = parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }

  go(route: Route): void {
    const next = href(route);
    if (location.hash !== next) location.hash = next;
    this.route = route;
  }
}
