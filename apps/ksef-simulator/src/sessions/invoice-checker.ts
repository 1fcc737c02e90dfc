import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { packBatch, type CheckRequest, type WorkerReply } from '../domain/processing/check-protocol';
import { checkInvoice, type CheckResult } from '../domain/processing/invoice-checks';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { XML_VALIDATOR } from './xml-validator.provider';

/** The worker's script: the bundle next to main.js, or (tests) the TypeScript source run through test/ts-worker.js. */
function workerEntry(): { file: string; workerData?: { tsEntry: string } } {
  const bundled = join(__dirname, 'processing-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  return { file: join(__dirname, '..', '..', 'test', 'ts-worker.js'), workerData: { tsEntry: join(__dirname, '..', 'processing-worker.ts') } };
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(inspect(error)));

/** One worker thread; a crash fails the batches it held (processing retries them) and the next call starts a new one. */
class CheckWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: CheckResult[]) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  readonly ready: Promise<void>;
  dead = false;

  constructor(onExit: (worker: CheckWorker, error: Error) => void) {
    const entry = workerEntry();
    this.worker = new Worker(entry.file, { workerData: entry.workerData });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) return resolve();
        if ('startupError' in reply) return reject(new Error(`processing worker failed to start: ${reply.startupError}`));
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if ('error' in reply) waiter?.reject(new Error(`invoice check failed in the worker: ${reply.error}`));
        else waiter?.resolve(reply.results);
      });
      const fail = (cause: unknown) => {
        if (this.dead) return;
        const error = asError(cause);
        this.dead = true;
        reject(error);
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
        onExit(this, error);
      };
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`processing worker exited (code ${code})`)));
    });
    this.ready.catch(() => undefined); // observed by check(); avoids an unhandled rejection when nobody waits
  }

  async check(items: CheckRequest[]): Promise<CheckResult[]> {
    await this.ready;
    if (this.dead) throw new Error('processing worker is gone');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message = packBatch(id, items);
      this.worker.postMessage(message, [message.data.buffer as ArrayBuffer]);
    });
  }

  async stop(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/**
 * Runs the invoice checks (checkInvoice: preflight, XSD, fields) for a batch: in `processingWorkers` worker threads,
 * so validation uses another core than the HTTP thread, or in this thread when the setting is 0. Same results either
 * way: the worker runs the same function against the same official schemas.
 */
@Injectable()
export class InvoiceChecker implements OnModuleInit {
  private workers: CheckWorker[] = [];

  constructor(
    @Inject(XML_VALIDATOR) private readonly validator: KsefXmlValidator,
    @Inject(SIM_SETTINGS) private readonly settings: SimulatorSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get size(): number {
    return this.settings.processingWorkers ?? 0;
  }

  /** Workers start with the app (a broken worker fails the boot, and the script is read before dist/ can change). */
  async onModuleInit(): Promise<void> {
    this.ensureWorkers();
    await Promise.all(this.workers.map((w) => w.ready));
  }

  private ensureWorkers(): void {
    while (this.workers.length < this.size) {
      this.workers.push(
        new CheckWorker((gone, error) => {
          this.workers = this.workers.filter((w) => w !== gone);
          this.logger.warn({ error: error.message }, 'processing worker stopped; a new one starts with the next batch');
        }),
      );
    }
  }

  async check(items: CheckRequest[]): Promise<CheckResult[]> {
    if (!items.length) return [];
    if (this.size === 0) return items.map((i) => checkInvoice(i.content, i.systemCode, this.validator, i.options));
    this.ensureWorkers();
    // Split the batch evenly; results come back in the order of `items`.
    const chunk = Math.ceil(items.length / this.workers.length);
    const parts = await Promise.all(this.workers.map((w, i) => (i * chunk < items.length ? w.check(items.slice(i * chunk, (i + 1) * chunk)) : Promise.resolve([]))));
    return parts.flat();
  }

  /** Called by InvoiceProcessingService once its last batch is done (so no batch loses its worker mid-way). */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.stop()));
  }
}
