/**
 * Strings an attacker (or a careless ERP) puts into every free-text field: SQL injection, HTML/script injection,
 * template and header tricks. Intake must store and return them verbatim and never interpret them.
 */
export const INJECTION_STRINGS = [
  `FV/1'; DROP TABLE intake.invoices; --`,
  `' OR '1'='1`,
  `1" OR "1"="1" /*`,
  `$$; SELECT pg_sleep(10); $$`,
  `<script>alert(document.cookie)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `{{7*7}} \${7*7} #{7*7}`,
  `../../../../etc/passwd`,
  `Faktura Żółć „cytat” — ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢`,
  `\u202Eevil\u202C RTL override`,
];

/** Printable ASCII only (the Idempotency-Key grammar): the SQL/HTML strings without the non-ASCII ones. */
export const ASCII_INJECTION_KEYS = INJECTION_STRINGS.filter((s) => /^[\x21-\x7e ]+$/.test(s)).map((s) => s.replace(/ /g, '_'));
