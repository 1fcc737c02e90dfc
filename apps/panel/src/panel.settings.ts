/** Behaviour settings of the panel (from config in production, chosen by tests). */
export interface PanelSettings {
  schema: string;
  intakeUrl: string;
  senderUrl: string;
  internalApiToken?: string;
  sessionTtlMs: number;
  cookieSecure: boolean;
  login: { maxFailures: number; lockMs: number };
  /** Directory of the built SPA (index.html, assets/). */
  webDir: string;
  /** Timeout of a call to intake or the sender. */
  backendTimeoutMs: number;
  /** scrypt cost of passwords set on the users screen (default: password.ts's; tests choose a cheap one). */
  passwordHashCost?: { N: number; r: number; p: number };
}

export const PANEL_SETTINGS = Symbol('PANEL_SETTINGS');

/** Name of the session cookie (httpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'ksef_panel_session';

/** Header every mutating request must carry: a cross-site form cannot set it, so it closes CSRF together with SameSite. */
export const CSRF_HEADER = 'x-panel-request';
