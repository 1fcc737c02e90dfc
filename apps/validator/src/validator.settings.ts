import { TOPICS } from '@ksef-bridge/contracts';

export interface ValidatorTopics {
  invoiceReceived: string;
  invoiceValidated: string;
  invoiceInvalid: string;
}

export const DEFAULT_VALIDATOR_TOPICS: ValidatorTopics = {
  invoiceReceived: TOPICS.invoiceReceived,
  invoiceValidated: TOPICS.invoiceValidated,
  invoiceInvalid: TOPICS.invoiceInvalid,
};

/** Behaviour settings of the validator (from config in production, chosen by tests). */
export interface ValidatorSettings {
  schema: string;
  topics: ValidatorTopics;
  /** Prepended to consumer group ids; '' in production, unique per test. */
  consumerGroupPrefix: string;
  intakeUrl: string;
  internalApiToken?: string;
  claimCheckTimeoutMs: number;
}

export const VALIDATOR_SETTINGS = Symbol('VALIDATOR_SETTINGS');
