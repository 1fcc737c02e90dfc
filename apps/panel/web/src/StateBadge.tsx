import type { Me } from './api';
import { useT } from './i18n';

/** A state with its Polish label (libs/invoice-domain) in Polish, the state name in English. */
export function StateBadge({ state, me }: { state: string; me: Me }) {
  const { lang } = useT();
  const label = lang === 'pl' ? (me.states.find((s) => s.state === state)?.labelPl ?? state) : state;
  return <span className={`state state-${state}`} title={state}>{label}</span>;
}

/** Date and time in the panel's language (pl-PL or en-GB). */
export const when = (iso: string | undefined | null) => (iso ? new Date(iso).toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'pl-PL') : '');
