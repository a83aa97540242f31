/**
 * A loopback HTTP proxy in front of a server, for a test to steer request by request: `intercept`
 * sees each request first and may answer (or drop) it itself by returning true; the rest is
 * forwarded, streaming both ways. For a cut at the byte level see cuttable-proxy.ts.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpProxy {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Destroys every open connection (the ones in flight end as a network failure). */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startHttpProxy(
  target: string,
  intercept: (incoming: IncomingMessage, outgoing: ServerResponse) => boolean = () => false,
): Promise<HttpProxy> {
  const upstream = new URL(target);
  const proxy = createServer((incoming, outgoing) => {
    if (intercept(incoming, outgoing)) return;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url ?? '/',
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
    dropAll: () => proxy.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
