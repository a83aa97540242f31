/**
 * The e2e run's one chat-server (and sync-server) origin. The app's Content-Security-Policy lets it
 * call only the chat and sync servers named when it was built (`MNEME_CHAT_ORIGIN`,
 * `MNEME_SYNC_ORIGIN`), and the build happens once, before any
 * test starts its own scripted server on a free port. So the global set-up opens this relay on
 * 127.0.0.1 first, builds the app for its origin, and a test's server is reached through it:
 * `<relay>/<port>/v1/…` is forwarded, streaming, to `http://127.0.0.1:<port>/v1/…`.
 */
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRelay {
  /** `http://127.0.0.1:<port>`: the origin the app is built to allow. */
  origin: string;
  close(): Promise<void>;
}

export async function startChatRelay(): Promise<ChatRelay> {
  const server: Server = createServer((incoming, outgoing) => {
    const match = /^\/(\d{2,5})(\/.*)$/.exec(incoming.url ?? '');
    if (!match) return void outgoing.writeHead(404).end('Use /<port>/<path>');
    const onward = forward(
      { host: '127.0.0.1', port: Number(match[1]), path: match[2], method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    onward.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end(String(error));
    });
    // The page went away (a closed tab): the request to the test's server ends too.
    outgoing.on('close', () => onward.destroy());
    incoming.pipe(onward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
