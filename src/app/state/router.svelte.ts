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
    default: {
      const session = param === undefined ? undefined : decodeParam(param);
      return session ? { view: 'chat', param: session } : { view: 'chat' };
    }
  }
}

/** A hand-typed address with a stray `%` opens the chat instead of throwing. */
function decodeParam(param: string): string | undefined {
  try {
    return decodeURIComponent(param);
  } catch {
    return undefined;
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
