import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { loadOfficialOpenApi } from '@ksef-bridge/ksef-spec';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export interface Recorded {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * Validates recorded responses against the official open-api.json: the operation (path template + method) must
 * exist, must document the status, and the body must match that status' schema for the response content type.
 */
export class OpenApiConformance {
  private readonly ajv: Ajv;
  private readonly spec = loadOfficialOpenApi() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
  private readonly templates: { template: string; regex: RegExp; params: number }[];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    this.ajv.addSchema({ $id: 'openapi', components: toJsonSchema(this.spec.components) });
    this.templates = Object.keys(this.spec.paths)
      .map((template) => ({
        template,
        regex: new RegExp(`^/v2${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  templateOf(path: string): string | undefined {
    const bare = path.split('?')[0];
    return this.templates.find((t) => t.regex.test(bare))?.template;
  }

  check(r: Recorded): string[] {
    const template = this.templateOf(r.path);
    if (!template) return [`${r.method} ${r.path}: no such path in open-api.json`];
    const op = this.spec.paths[template][r.method.toLowerCase()];
    if (!op) return [`${r.method} ${template}: method not in open-api.json`];
    const response = op.responses[String(r.status)];
    if (!response) return [`${r.method} ${template}: status ${r.status} not documented (${Object.keys(op.responses).join(', ')})`];
    if (!response.content) return r.body === undefined || r.body === '' ? [] : [`${r.method} ${template} ${r.status}: documented without a body`];
    const mediaType = r.contentType.split(';')[0].trim();
    const media = response.content[mediaType];
    if (!media) return [`${r.method} ${template} ${r.status}: content type ${mediaType} not documented (${Object.keys(response.content).join(', ')})`];
    if (!media.schema || mediaType === 'application/xml') return [];
    const key = `${r.method} ${template} ${r.status} ${mediaType}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const schema = JSON.parse(JSON.stringify(toJsonSchema(media.schema)).replace(/"#\/components\//g, '"openapi#/components/'));
      validate = this.ajv.compile(schema);
      this.cache.set(key, validate);
    }
    return validate(r.body) ? [] : [`${key}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(r.body).slice(0, 300)}`];
  }
}

/** OpenAPI 3.0 `nullable` to JSON Schema: `type: [t, "null"]`, or `anyOf [..., null]` where there is no `type` (allOf/$ref). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = k === 'example' || k === 'examples' ? v : toJsonSchema(v);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'], ...(Array.isArray(out.enum) ? { enum: [...out.enum, null] } : {}) };
  return { anyOf: [out, { type: 'null' }] };
}
