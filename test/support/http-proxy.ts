/**
 * A loopback HTTP proxy in front of a server, for a test to steer request by request: `intercept`
 * sees each request first and may answer (or drop) it itself by returning true; the rest is
 * forwarded, streaming both ways. With `bodyLimit` it is a reverse proxy with a request size limit
 * (nginx's `client_max_body_size`): a request whose body is larger is answered 413 and never
 * reaches the server. For a cut at the byte level see cuttable-proxy.ts.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpProxy {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Requests answered 413 for their size (`bodyLimit`). */
  refused(): number;
  /** Destroys every open connection (the ones in flight end as a network failure). */
  dropAll(): void;
  close(): Promise<void>;
}

export interface HttpProxyOptions {
  /** Largest request body let through, in bytes: by its Content-Length, or counted when chunked. */
  bodyLimit?: number;
}

/** nginx's answer to a body over `client_max_body_size`: an HTML page, not CouchDB's JSON. */
const TOO_LARGE =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n' +
  '<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export async function startHttpProxy(
  target: string,
  intercept: (incoming: IncomingMessage, outgoing: ServerResponse) => boolean = () => false,
  options: HttpProxyOptions = {},
): Promise<HttpProxy> {
  const upstream = new URL(target);
  const limit = options.bodyLimit ?? Infinity;
  let refused = 0;
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, body?: Buffer) => {
    const headers = { ...incoming.headers };
    if (body) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    const sent = request(
      { host: upstream.hostname, port: upstream.port, path: incoming.url ?? '/', method: incoming.method, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    sent.on('error', () => outgoing.destroy());
    if (body) sent.end(body);
    else incoming.pipe(sent);
  };
  // Answered at once, the rest of the body read and dropped (as nginx does before it closes).
  const refuse = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    refused++;
    outgoing.writeHead(413, { 'Content-Type': 'text/html', Connection: 'close' });
    outgoing.end(TOO_LARGE);
    incoming.resume();
  };
  const proxy = createServer((incoming, outgoing) => {
    if (intercept(incoming, outgoing)) return;
    if (incoming.headers['transfer-encoding'] === undefined || limit === Infinity) {
      return Number(incoming.headers['content-length'] ?? 0) > limit ? refuse(incoming, outgoing) : forward(incoming, outgoing);
    }
    // Chunked: counted while it comes, forwarded whole when it stays within the limit.
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) refuse(incoming, outgoing);
      else chunks.push(chunk);
    });
    incoming.on('end', () => {
      if (size <= limit) forward(incoming, outgoing, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
    refused: () => refused,
    dropAll: () => proxy.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
