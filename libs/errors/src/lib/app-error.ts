/**
 * Base of our error taxonomy. Every error that crosses a module boundary carries a stable `code`
 * (safe to alert and branch on) and a `retriable` flag that drives retry vs dead-letter decisions.
 *
 * A business outcome (an invoice rejected by KSeF or by the XSD) is not an error: it is a domain event.
 */
export abstract class AppError extends Error {
  /** Stable, machine-readable code, e.g. `KAFKA_PUBLISH_FAILED`. Never change an existing one. */
  abstract readonly code: string;
  /** True when the same operation may succeed later (network, broker, database, 5xx, 429). */
  abstract readonly retriable: boolean;
  /** Extra structured facts for logs and dead-letter headers. Never put secrets or invoice contents here. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.details = Object.freeze({ ...(options?.details ?? {}) });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, retriable: this.retriable, message: this.message, details: this.details };
  }
}

/** A retriable failure of infrastructure we depend on (database, broker, network). */
export class TransientError extends AppError {
  readonly retriable = true;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
  }
}

/**
 * Our own infrastructure is unavailable (PostgreSQL down, a connection pool that cannot connect). Retried with capped
 * backoff for as long as it lasts, never dead-lettered: the message is fine, parking it because the database
 * restarted would strand its invoice until a person replays it.
 */
export class DependencyUnavailableError extends TransientError {
  readonly untilRecovered = true;
}

/** True for failures that mean "wait for our infrastructure", not "this message is a problem". */
export function isDependencyOutage(error: unknown): boolean {
  return error instanceof DependencyUnavailableError;
}

/** A failure that will not go away by retrying: bad input, broken contract, programmer error. */
export class PermanentError extends AppError {
  readonly retriable = false;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
  }
}

/** A message or request that does not match its contract. Never retried. */
export class ValidationError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('VALIDATION_FAILED', message, options);
  }
}

/** Configuration missing or invalid at boot. */
export class ConfigError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('CONFIG_INVALID', message, options);
  }
}

/**
 * Normalises anything thrown into an AppError. Unknown errors are treated as NOT retriable:
 * a programmer error retried forever would block a partition; the dead-letter topic keeps it safe.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error) return new PermanentError('UNEXPECTED_ERROR', error.message, { cause: error });
  return new PermanentError('UNEXPECTED_ERROR', String(error));
}

/** True if `error` is an AppError flagged retriable. */
export function isRetriable(error: unknown): boolean {
  return error instanceof AppError && error.retriable;
}
