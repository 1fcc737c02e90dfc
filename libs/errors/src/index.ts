// Error taxonomy: stable codes and a retriable flag (CONVENTIONS.md "Error taxonomy drives retry").
export {
  AppError,
  ConfigError,
  DependencyUnavailableError,
  PermanentError,
  TransientError,
  ValidationError,
  isDependencyOutage,
  isRetriable,
  toAppError,
} from './lib/app-error';
