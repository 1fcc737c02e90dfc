import type { CheckOptions, CheckResult } from './invoice-checks';

/** One invoice to check (the decrypted file, the session's form code, the limits that apply to it). */
export interface CheckRequest {
  content: Buffer;
  systemCode: string;
  options: CheckOptions;
}

/**
 * A batch sent to processing-worker.ts: every file packed into one transferred buffer (a cloned Buffer would copy its
 * whole 8 KB pool slab), each item naming its slice.
 */
export interface WorkerRequest {
  id: number;
  data: Uint8Array;
  items: { offset: number; length: number; systemCode: string; options: CheckOptions }[];
}

export type WorkerReply = { id: number; results: CheckResult[] } | { id: number; error: string } | { ready: true } | { startupError: string };

export function packBatch(id: number, requests: CheckRequest[]): WorkerRequest {
  const data = new Uint8Array(requests.reduce((sum, r) => sum + r.content.length, 0));
  let offset = 0;
  const items = requests.map((r) => {
    data.set(r.content, offset);
    const item = { offset, length: r.content.length, systemCode: r.systemCode, options: r.options };
    offset += r.content.length;
    return item;
  });
  return { id, data, items };
}

export function unpackBatch(request: WorkerRequest): CheckRequest[] {
  return request.items.map((i) => ({ content: Buffer.from(request.data.buffer, request.data.byteOffset + i.offset, i.length), systemCode: i.systemCode, options: i.options }));
}
