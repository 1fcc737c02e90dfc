import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it: raw body (what signatures are over) and headers. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What a path answers to its n-th request (1-based): a status, optionally headers and a delay. */
export type Responder = (n: number) => { status: number; headers?: Record<string, string>; delayMs?: number };

/**
 * A real local HTTP server standing in for tenants' endpoints: each path has its own scripted answers and keeps every
 * request it got. Unknown paths answer 200.
 */
export class WebhookReceiver {
  private server!: Server;
  readonly received: ReceivedWebhook[] = [];
  private readonly responders = new Map<string, Responder>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const n = this.received.filter((r) => r.path === path).length;
        const answer = this.responders.get(path)?.(n) ?? { status: 200 };
        setTimeout(() => res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(`answer ${answer.status} to #${n}`), answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string, responder: Responder): string {
    this.responders.set(path, responder);
    return `${this.url}${path}`;
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
