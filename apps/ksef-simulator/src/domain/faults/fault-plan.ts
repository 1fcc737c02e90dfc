/**
 * Fault injection rules. Each applies to one endpoint (`METHOD /route/pattern`, as fastify names the route, e.g.
 * `POST /v2/sessions/online/:referenceNumber/invoices`) or to every KSeF endpoint when `endpoint` is omitted.
 *
 * - `error5xx`: answer with one of `statuses` (default 500, 502, 503) without doing the work;
 * - `slow`: do the work, answer after `delayMs`;
 * - `timeout`: accept the request and never answer (the socket stays open until the client gives up);
 * - `drop`: do the work (e.g. the invoice IS accepted), then destroy the connection instead of answering;
 * - `rateLimit`: a 429 storm with `retryAfterSeconds`;
 * - `outage`: every request fails with 503 until `untilMs` (simulated time);
 * - `stuckProcessing`: invoices stay at status 150 while the rule is active.
 */
export type FaultType = 'error5xx' | 'slow' | 'timeout' | 'drop' | 'rateLimit' | 'outage' | 'stuckProcessing';

export interface FaultRule {
  id: string;
  type: FaultType;
  endpoint?: string;
  /** Chance per matching request, 0..1 (default 1). Draws come from the seeded generator, so runs are reproducible. */
  probability: number;
  /** How many times the rule may still fire; undefined: unlimited. */
  remaining?: number;
  statuses?: number[];
  delayMs?: number;
  retryAfterSeconds?: number;
  /** Simulated epoch ms after which the rule is inactive. */
  untilMs?: number;
  /** `outage` only: the Latarnia announcement published with it (off by default: faults stay silent). */
  announce?: 'FAILURE' | 'TOTAL_FAILURE';
}

/** mulberry32: tiny, fast, good enough for reproducible fault draws. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private rules: FaultRule[] = [];
  private random: () => number;
  private nextId = 1;

  constructor(private seed: number) {
    this.random = seededRandom(seed);
  }

  /** Clears rules and restarts the generator (same seed: same sequence of draws). */
  reset(seed = this.seed): void {
    this.seed = seed;
    this.random = seededRandom(seed);
    this.rules = [];
  }

  add(rule: Omit<FaultRule, 'id' | 'probability'> & { probability?: number }): FaultRule {
    const full: FaultRule = { ...rule, probability: rule.probability ?? 1, id: `f${this.nextId++}` };
    this.rules.push(full);
    return full;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  get currentSeed(): number {
    return this.seed;
  }

  /** The first active rule that matches and fires for this request (consumes one of its `remaining`). */
  pick(endpoint: string, nowMs: number, types?: FaultType[]): FaultRule | undefined {
    for (const rule of this.rules) {
      if (types && !types.includes(rule.type)) continue;
      if (rule.type === 'stuckProcessing') continue;
      if (rule.untilMs !== undefined && nowMs > rule.untilMs) continue;
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.endpoint && rule.endpoint !== endpoint) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      return rule;
    }
    return undefined;
  }

  /** True while a `stuckProcessing` rule is active. */
  processingStuck(nowMs: number): boolean {
    return this.rules.some((r) => r.type === 'stuckProcessing' && (r.untilMs === undefined || nowMs <= r.untilMs));
  }

  /** A 5xx status drawn from the rule's list. */
  drawStatus(rule: FaultRule): number {
    const statuses = rule.statuses?.length ? rule.statuses : [500, 502, 503];
    return statuses[Math.floor(this.random() * statuses.length)];
  }
}
