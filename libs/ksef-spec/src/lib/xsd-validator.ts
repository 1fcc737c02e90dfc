import { importEsm } from './esm-import';
import { OFFICIAL_FILES, officialArtifactsDir, readOfficialFile } from './official-artifacts';

/** Schemas we validate against. FA(2)/FA(3) invoices, UPO v4-3, and the two authentication request versions. */
export type KsefSchemaName = 'FA(2)' | 'FA(3)' | 'UPO-v4-3' | 'AUTH-2.0' | 'AUTH-2.1';

export const KSEF_NAMESPACES = {
  'FA(2)': 'http://crd.gov.pl/wzor/2023/06/29/12648/',
  'FA(3)': 'http://crd.gov.pl/wzor/2025/06/25/13775/',
  'UPO-v4-3': 'http://upo.schematy.mf.gov.pl/KSeF/v4-3',
  'AUTH-2.0': 'http://ksef.mf.gov.pl/auth/token/2.0',
  'AUTH-2.1': 'http://ksef.mf.gov.pl/auth/token/2.1',
} as const satisfies Record<KsefSchemaName, string>;

export interface XmlProblem {
  message: string;
  line?: number;
  col?: number;
}

export interface XmlValidationResult<F extends string = never> {
  /** Well-formed and valid against the schema. */
  valid: boolean;
  /** `parse` when the document is not well-formed XML, `schema` when it is but violates the XSD. */
  failure?: 'parse' | 'schema';
  problems: XmlProblem[];
  /** Text of the first node matched by each requested XPath (prefix `t` = the schema's target namespace). */
  fields: Partial<Record<F, string>>;
}

export interface KsefXmlValidator {
  /**
   * Parses `xml` (no DTD loading, no external entities, no network) and validates it against `schema`.
   * `extract` maps names to XPath expressions evaluated on a valid or merely well-formed document.
   */
  validate<F extends string = never>(schema: KsefSchemaName, xml: Uint8Array | string, extract?: Record<F, string>): XmlValidationResult<F>;
  /** Frees the compiled schemas (WebAssembly memory). */
  close(): void;
}

export interface KsefSpecOptions {
  /** Folder with the official artifacts; default: found next to this lib (see officialArtifactsDir). */
  officialDir?: string;
}

/** Where the FA schemas import their base types from; resolved to the vendored copies, never fetched. */
const CRD_BASE = 'http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/';

type Libxml = typeof import('libxml2-wasm');
type XsdValidatorT = InstanceType<Libxml['XsdValidator']>;

let libxmlPromise: Promise<Libxml> | undefined;
let providerRegistered = false;
const remoteCopies = new Map<string, Uint8Array>();

/** `schemat_auth_v2-0.xsd` uses `^`, `$` and `\b` in IP-mask patterns, which XSD regexes lack (libxml2 refuses it).
 * We patch only those facets, to the equivalent forms the official 2.1 schema uses. */
export function patchAuthV20Schema(text: string): string {
  const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
  const ipv4 = `(${octet}\\.){3}${octet}`;
  return text.replace(/<xsd:pattern value="\^([^"]*)\$"\/>/g, (_m, body: string) => {
    const fixed = body.split('((25[0-5]|(2[0-4]|1\\d|[1-9]|)\\d)\\.?\\b){4}').join(ipv4).replace(/\\\//g, '/');
    return `<xsd:pattern value="${fixed}"/>`;
  });
}

async function loadLibxml(officialDir: string): Promise<Libxml> {
  libxmlPromise ??= importEsm<Libxml>('libxml2-wasm');
  const lib = await libxmlPromise;
  for (const [name, file] of [
    ['StrukturyDanych_v10-0E.xsd', OFFICIAL_FILES.strukturyDanych],
    ['ElementarneTypyDanych_v10-0E.xsd', OFFICIAL_FILES.elementarneTypyDanych],
    ['KodyKrajow_v10-0E.xsd', OFFICIAL_FILES.kodyKrajow],
  ] as const) {
    remoteCopies.set(CRD_BASE + name, readOfficialFile(file, officialDir));
  }
  if (!providerRegistered) {
    // Only the known remote imports are served (from memory); libxml2-wasm has no network or file access of its own,
    // so any other URL fails to load.
    lib.xmlRegisterInputProvider(new lib.XmlBufferInputProvider(Object.fromEntries(remoteCopies)));
    providerRegistered = true;
  }
  return lib;
}

function problemsOf(error: unknown): XmlProblem[] {
  const details = (error as { details?: { message: string; line?: number; col?: number }[] }).details;
  if (details?.length) return details.map((d) => ({ message: d.message.trim(), line: d.line, col: d.col }));
  return [{ message: error instanceof Error ? error.message : String(error) }];
}

/**
 * Compiles the official schemas once (libxml2 in WebAssembly) and returns a synchronous validator (~tens of µs for
 * a typical invoice). Call once per process and reuse.
 */
export async function createKsefXmlValidator(options: KsefSpecOptions = {}): Promise<KsefXmlValidator> {
  const dir = options.officialDir ?? officialArtifactsDir();
  const lib = await loadLibxml(dir);
  // No DTD load, no entity substitution; NONET for libxml2 builds that still have a network client.
  const parseOptions = { option: lib.ParseOption.XML_PARSE_NONET };
  const sources: Record<KsefSchemaName, string> = {
    'FA(2)': readOfficialFile(OFFICIAL_FILES.fa2, dir).toString('utf8'),
    'FA(3)': readOfficialFile(OFFICIAL_FILES.fa3, dir).toString('utf8'),
    'UPO-v4-3': readOfficialFile(OFFICIAL_FILES.upoV43, dir).toString('utf8'),
    'AUTH-2.0': patchAuthV20Schema(readOfficialFile(OFFICIAL_FILES.authV20, dir).toString('utf8')),
    'AUTH-2.1': readOfficialFile(OFFICIAL_FILES.authV21, dir).toString('utf8'),
  };
  const validators = new Map<KsefSchemaName, XsdValidatorT>();
  // Compiled XPath expressions, per schema namespace: compiling costs more than evaluating.
  type XPathT = InstanceType<Libxml['XmlXPath']>;
  const xpaths = new Map<string, XPathT>();
  const compiled = (schema: KsefSchemaName, expression: string): XPathT => {
    const key = `${schema}\u0000${expression}`;
    let xpath = xpaths.get(key);
    if (!xpath) {
      xpath = lib.XmlXPath.compile(expression, { t: KSEF_NAMESPACES[schema] });
      xpaths.set(key, xpath);
    }
    return xpath;
  };
  for (const [name, text] of Object.entries(sources) as [KsefSchemaName, string][]) {
    const schemaDoc = lib.XmlDocument.fromString(text, parseOptions);
    try {
      validators.set(name, lib.XsdValidator.fromDoc(schemaDoc));
    } finally {
      schemaDoc.dispose();
    }
  }

  return {
    validate<F extends string = never>(schema: KsefSchemaName, xml: Uint8Array | string, extract?: Record<F, string>): XmlValidationResult<F> {
      const validator = validators.get(schema);
      if (!validator) throw new Error(`unknown schema ${schema}`);
      let doc;
      try {
        doc = typeof xml === 'string' ? lib.XmlDocument.fromString(xml, parseOptions) : lib.XmlDocument.fromBuffer(xml, parseOptions);
      } catch (error) {
        return { valid: false, failure: 'parse', problems: problemsOf(error), fields: {} };
      }
      try {
        const fields: Partial<Record<F, string>> = {};
        if (extract) {
          for (const [name, xpath] of Object.entries(extract) as [F, string][]) {
            const node = doc.get(compiled(schema, xpath));
            if (node) fields[name] = node.content;
          }
        }
        try {
          validator.validate(doc);
        } catch (error) {
          return { valid: false, failure: 'schema', problems: problemsOf(error), fields };
        }
        return { valid: true, problems: [], fields };
      } finally {
        doc.dispose();
      }
    },
    close() {
      for (const v of validators.values()) v.dispose();
      validators.clear();
      for (const x of xpaths.values()) x.dispose();
      xpaths.clear();
    },
  };
}
