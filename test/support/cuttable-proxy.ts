/**
 * A loopback TCP proxy in front of a server that a test can cut: while cut, every open connection
 * is destroyed and new ones are closed at once, the way a device that lost its network sees it.
 * {@link CuttableProxy.cutAnswersAfter} cuts long answers instead (a flaky mobile link, a proxy
 * with a response timeout): any answer longer than some bytes loses its connection midway.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface CuttableProxy {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  cut(): void;
  /** Cuts (as {@link CuttableProxy.cut}) once `bytes` more bytes went from clients to the server: mid-body. */
  cutAfter(bytes: number): void;
  /**
   * From now on, every answer (server to client bytes, from one request's bytes to the next's) longer
   * than `bytes` is cut there: its connection is destroyed, the client holding part of it. Stays on,
   * re-armed after each cut, until {@link CuttableProxy.restore}; other connections go on.
   */
  cutAnswersAfter(bytes: number): void;
  /** Answers cut by {@link CuttableProxy.cutAnswersAfter} so far. */
  answersCut(): number;
  /** Passes everything through again: lifts a cut, and drops a {@link CuttableProxy.cutAfter} not yet reached, and {@link CuttableProxy.cutAnswersAfter}. */
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
  /** The longest answer let through whole ({@link CuttableProxy.cutAnswersAfter}), and the answers cut. */
  let answerLimit = Infinity;
  let answersCut = 0;
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
    /** Bytes of the answer now coming on this connection: a client's next request starts a new one. */
    let answered = 0;
    // Client to server by hand, so a cut can fall inside a chunk (the server gets part of a body).
    client.on('data', (chunk: Buffer) => {
      answered = 0;
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
    // Server to client by hand too, so an answer can be cut inside a chunk (the client gets part of it).
    upstream.on('data', (chunk: Buffer) => {
      listeners.forEach((listener) => listener());
      if (client.destroyed || answered > answerLimit) return; // gone, or being cut
      answered += chunk.length;
      if (answered <= answerLimit) {
        if (!client.write(chunk)) upstream.pause();
        return;
      }
      answersCut++;
      const part = chunk.subarray(0, Math.max(0, answerLimit - (answered - chunk.length)));
      client.write(part, () => {
        client.destroy();
        upstream.destroy();
      });
    });
    client.on('drain', () => upstream.resume());
    upstream.on('end', () => client.end());
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
    cutAnswersAfter(bytes) {
      answerLimit = bytes;
    },
    answersCut: () => answersCut,
    restore() {
      cut = false;
      budget = Infinity;
      answerLimit = Infinity;
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
