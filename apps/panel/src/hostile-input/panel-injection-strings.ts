/**
 * Strings for every text field of the panel (search box, filters, reasons, ERP document ids, login): SQL injection,
 * HTML/script injection, template and path tricks, Unicode oddities. The same families as intake's corpus
 * (apps/intake/src/hostile-input/injection-strings.ts; apps cannot import each other), plus what a browser UI adds.
 */
export const PANEL_INJECTION_STRINGS = [
  `FV/1'; DROP TABLE panel.audit_log; --`,
  `' OR '1'='1`,
  `1" OR "1"="1" /*`,
  `%' OR 1=1 --`,
  `$$; SELECT pg_sleep(10); $$`,
  `<script>alert(document.cookie)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `javascript:alert(1)`,
  `{{7*7}} \${7*7} #{7*7}`,
  `../../../../etc/passwd`,
  `Faktura Żółć „cytat” — ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢`,
  `\u202Eevil\u202C RTL override`,
];
