/**
 * A loopback TCP proxy in front of a server that a test can cut: while cut, every open connection
 * is destroyed and new ones are closed at once, the way a device that lost its network sees it.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface CuttableProxy {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  cut(): void;
  /** Cuts (as {@link CuttableProxy.cut}) once `bytes` more bytes went from clients to the server: mid-body. */
  cutAfter(bytes: number): void;
  /** Passes everything through again: lifts a cut, and drops a {@link CuttableProxy.cutAfter} not yet reached. */
  restore(): void;
  /** Calls `listener` at every cut (after the sockets are destroyed); returns the unsubscribe. */
  onCut(listener: () => void): () => void;
  /** Calls `listener` whenever the server sends a client bytes (an answer, or part of one); returns the unsubscribe. */
  onAnswer(listener: () => void): () => void;
  close(): Promise<void>;
}

export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let cut = false;
  let budget = Infinity;
  const listeners = new Set<() => void>();
  const cutListeners = new Set<() => void>();
  const cutNow = () => {
    cut = true;
    budget = Infinity;
    for (const socket of sockets) socket.destroy();
    cutListeners.forEach((listener) => listener());
  };
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    // Client to server by hand, so a cut can fall inside a chunk (the server gets part of a body).
    client.on('data', (chunk: Buffer) => {
      if (budget <= 0) return;
      if (chunk.length < budget) {
        budget -= chunk.length;
        upstream.write(chunk);
        return;
      }
      const part = chunk.subarray(0, budget);
      budget = 0;
      upstream.write(part, () => cutNow());
    });
    upstream.pipe(client);
    upstream.on('data', () => listeners.forEach((listener) => listener()));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}/`,
    cut: cutNow,
    cutAfter(bytes) {
      budget = bytes;
    },
    restore() {
      cut = false;
      budget = Infinity;
    },
    onCut(listener) {
      cutListeners.add(listener);
      return () => cutListeners.delete(listener);
    },
    onAnswer(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
