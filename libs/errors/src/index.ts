// Error taxonomy: stable codes and a retriable flag (CONVENTIONS.md "Error taxonomy drives retry").
export {
  AppError,
  ConfigError,
  PermanentError,
  TransientError,
  ValidationError,
  isRetriable,
  toAppError,
} from './lib/app-error';
