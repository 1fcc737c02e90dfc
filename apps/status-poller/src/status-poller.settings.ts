import { TOPICS } from '@ksef-bridge/contracts';
import type { PollPolicy } from './domain/poll-decision';

/** The topics the status-poller speaks on; tests pass random names, production uses TOPICS. */
export interface StatusPollerTopics {
  invoiceSubmitted: string;
  invoiceProcessing: string;
  invoiceAccepted: string;
  invoiceUpoReceived: string;
  invoiceRejected: string;
  invoiceEscalated: string;
}

export const DEFAULT_STATUS_POLLER_TOPICS: StatusPollerTopics = {
  invoiceSubmitted: TOPICS.invoiceSubmitted,
  invoiceProcessing: TOPICS.invoiceProcessing,
  invoiceAccepted: TOPICS.invoiceAccepted,
  invoiceUpoReceived: TOPICS.invoiceUpoReceived,
  invoiceRejected: TOPICS.invoiceRejected,
  invoiceEscalated: TOPICS.invoiceEscalated,
};

/** Behaviour settings of the status-poller (from config in production, chosen by tests). */
export interface StatusPollerSettings {
  schema: string;
  topics: StatusPollerTopics;
  /** Prepended to consumer group ids; '' in production, unique per test. */
  consumerGroupPrefix: string;
  ksef: { baseUrl: string; rateLimits: 'production' | 'te' | 'off'; timeoutMs: number };
  sender: { url: string; token?: string; timeoutMs: number };
  policy: PollPolicy;
  scheduler: {
    intervalMs: number;
    /** Rows one round claims. */
    batchSize: number;
    leaseMs: number;
    /** Due rows of one session from which the session is listed instead of asked per invoice. */
    listMinRows: number;
    /** Sessions worked on in parallel per round. */
    parallelSessions: number;
    /** Accepted invoices of one session awaiting a UPO from which the session UPO is read (batch sessions: always); 0 = never. Default 10. */
    sessionUpoMinRows?: number;
  };
}

export const STATUS_POLLER_SETTINGS = Symbol('STATUS_POLLER_SETTINGS');
