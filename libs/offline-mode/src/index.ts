// Offline-mode send deadlines (issue #7): the Polish business-day calendar in Europe/Warsaw time and the per-invoice
// deadline of each offline mode (API.md §11). Pure code: no Nest, TypeORM or Kafka. Docs: docs/offline-mode.md.
export { parseCalendarDate, addDays, weekday } from './lib/calendar-date';
export type { CalendarDate } from './lib/calendar-date';
export { WARSAW_TIME_ZONE, warsawDateOf, startOfWarsawDay, endOfWarsawDay } from './lib/warsaw-time';
export {
  FIRST_SUPPORTED_YEAR,
  LAST_SUPPORTED_YEAR,
  easterSunday,
  polishPublicHolidays,
  isPolishPublicHoliday,
  isBusinessDay,
  addBusinessDays,
  nextBusinessDay,
} from './lib/polish-holidays';
export type { PublicHoliday } from './lib/polish-holidays';
export { OFFLINE_MODES, FAILURE_GRACE_BUSINESS_DAYS, sendDeadline } from './lib/send-deadline';
export type { OfflineMode, AnnouncedFailure, SendDeadlineInput, SendDeadline } from './lib/send-deadline';
export { DEFAULT_WARN_BEFORE_MS, deadlineStatus } from './lib/deadline-status';
export type { DeadlineState, DeadlineStatus } from './lib/deadline-status';
