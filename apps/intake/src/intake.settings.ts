import { TOPICS } from '@ksef-bridge/contracts';

/** The topics intake speaks on; tests pass random names, production uses TOPICS. */
export interface IntakeTopics {
  erpInvoiceSubmitted: string;
  intakeRejected: string;
  invoiceReceived: string;
  invoiceValidated: string;
  invoiceInvalid: string;
  invoiceStatusChanged: string;
  invoiceSubmitted: string;
  invoiceRejected: string;
  invoiceEscalated: string;
  invoiceProcessing: string;
  invoiceAccepted: string;
  invoiceUpoReceived: string;
}

export const DEFAULT_INTAKE_TOPICS: IntakeTopics = {
  erpInvoiceSubmitted: TOPICS.erpInvoiceSubmitted,
  intakeRejected: TOPICS.intakeRejected,
  invoiceReceived: TOPICS.invoiceReceived,
  invoiceValidated: TOPICS.invoiceValidated,
  invoiceInvalid: TOPICS.invoiceInvalid,
  invoiceStatusChanged: TOPICS.invoiceStatusChanged,
  invoiceSubmitted: TOPICS.invoiceSubmitted,
  invoiceRejected: TOPICS.invoiceRejected,
  invoiceEscalated: TOPICS.invoiceEscalated,
  invoiceProcessing: TOPICS.invoiceProcessing,
  invoiceAccepted: TOPICS.invoiceAccepted,
  invoiceUpoReceived: TOPICS.invoiceUpoReceived,
};

/** Behaviour settings of intake's use cases (from config in production, chosen by tests). */
export interface IntakeSettings {
  /** PostgreSQL schema (its tables are qualified with it). */
  schema: string;
  maxDocumentBytes: number;
  /** Bearer token required on `/internal/*`; undefined leaves those routes open (local runs only). */
  internalApiToken?: string;
  topics: IntakeTopics;
  /** Prepended to consumer group ids; '' in production, unique per test. */
  consumerGroupPrefix: string;
  /** An invoice still without a KSeF number this long after intake counts as overdue (metrics). Default 86 400 s. */
  confirmationDeadlineSeconds?: number;
  /** The sender, which signs KOD II (SENDER_URL; the bearer is INTERNAL_API_TOKEN). Default: 127.0.0.1:3003, 5 s. */
  sender?: { url: string; token?: string; timeoutMs?: number };
}

export const INTAKE_SETTINGS = Symbol('INTAKE_SETTINGS');

/** Largest HTTP request body for `maxDocumentBytes` of XML: base64 (4/3) plus JSON overhead and metadata. */
export function httpBodyLimitBytes(maxDocumentBytes: number): number {
  return Math.ceil((maxDocumentBytes * 4) / 3) + 256 * 1024;
}
