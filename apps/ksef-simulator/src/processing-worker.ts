/**
 * Worker-thread entry of the invoice checks (a second bundle next to main.js): the CPU-heavy part of processing
 * (preflight, libxml2 parse, XSD validation, field extraction) runs here so it does not compete with the HTTP thread.
 * It has its own compiled schemas; the main thread keeps every decision that needs state (sessions, limits, database).
 */
import { parentPort } from 'node:worker_threads';
import { createKsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { checkInvoice } from './domain/processing/invoice-checks';
import { unpackBatch, type WorkerReply, type WorkerRequest } from './domain/processing/check-protocol';

async function run(): Promise<void> {
  if (!parentPort) throw new Error('processing-worker must run in a worker thread');
  const port = parentPort;
  const validator = await createKsefXmlValidator();
  port.on('message', (message: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id: message.id, results: unpackBatch(message).map((item) => checkInvoice(item.content, item.systemCode, validator, item.options)) };
    } catch (error) {
      reply = { id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
}

run().catch((error: unknown) => {
  parentPort?.postMessage({ startupError: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply);
});
