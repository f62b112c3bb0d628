/**
 * The parts of `/openapi.json` the docs page shows. The document is read with
 * a plain same-origin fetch: it is a description of the API, not an API call,
 * so it has no SDK method; unknown shapes are skipped rather than trusted.
 */
export interface SchemaField {
  name: string;
  type: string;
  required: boolean;
}

export interface ApiOperation {
  method: string;
  path: string;
  summary: string;
  tag: string;
  /** How a caller authenticates, in words. */
  auth: string;
  requestFields: SchemaField[] | undefined;
  successStatus: string;
  /** The success body's media type and, for JSON, its top-level fields. */
  responseType: string;
  responseFields: SchemaField[] | undefined;
}

export interface ApiReference {
  title: string;
  version: string;
  groups: { tag: string; operations: ApiOperation[] }[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const AUTH_NAMES: Record<string, string> = {
  'api-key': 'API key',
  session: 'signed-in session',
  'node-signature': 'node signature',
  'stream-token': 'stream token',
  'deploy-token': 'deploy token',
};

function describeSecurity(security: unknown): string {
  if (!Array.isArray(security) || security.length === 0) return 'public';
  const ways = security.filter(isObject).map((requirement) => {
    const names = Object.keys(requirement).map((name) => AUTH_NAMES[name] ?? name);
    return names.length === 0 ? 'none' : names.join(' + ');
  });
  if (ways.includes('none')) {
    const optional = ways.filter((way) => way !== 'none');
    return optional.length ? `public; optionally ${optional.join(' or ')}` : 'public';
  }
  return ways.join(' or ');
}

function typeName(schema: unknown): string {
  if (!isObject(schema)) return 'any';
  if (Array.isArray(schema.enum))
    return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map(typeName).join(' | ');
  if (Array.isArray(schema.oneOf)) return schema.oneOf.map(typeName).join(' | ');
  if (schema.type === 'array') return `${typeName(schema.items)}[]`;
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return 'any';
}

/** The top-level fields of an object schema, or undefined for anything else. */
export function schemaFields(schema: unknown): SchemaField[] | undefined {
  if (!isObject(schema) || !isObject(schema.properties)) return undefined;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    type: typeName(property),
    required: required.has(name),
  }));
}

/**
 * A response's fields; the `{ data: … }` envelope is opened so the reader
 * sees what is inside it (`data.id`, `data[].name`).
 */
export function responseFields(schema: unknown): SchemaField[] | undefined {
  const fields = schemaFields(schema);
  if (!fields || fields.length !== 1 || fields[0]?.name !== 'data' || !isObject(schema)) {
    return fields;
  }
  const data = isObject(schema.properties) ? schema.properties.data : undefined;
  const list = isObject(data) && data.type === 'array';
  const inner = schemaFields(list ? (data as Json).items : data);
  if (!inner) return fields;
  return inner.map((field) => ({ ...field, name: `data${list ? '[]' : ''}.${field.name}` }));
}

function firstContent(content: unknown): { type: string; schema: unknown } | undefined {
  if (!isObject(content)) return undefined;
  const [type, media] = Object.entries(content)[0] ?? [];
  return type === undefined
    ? undefined
    : { type, schema: isObject(media) ? media.schema : undefined };
}

function operation(path: string, method: string, raw: Json): ApiOperation {
  const tag = Array.isArray(raw.tags) && typeof raw.tags[0] === 'string' ? raw.tags[0] : 'Other';
  const request = isObject(raw.requestBody) ? firstContent(raw.requestBody.content) : undefined;
  const responses = isObject(raw.responses) ? raw.responses : {};
  const [successStatus, success] =
    Object.entries(responses).find(([status]) => /^2\d\d$/.test(status)) ?? [];
  const response = isObject(success) ? firstContent(success.content) : undefined;
  return {
    method: method.toUpperCase(),
    path,
    summary: typeof raw.summary === 'string' ? raw.summary : '',
    tag,
    auth: describeSecurity(raw.security),
    requestFields: request && schemaFields(request.schema),
    successStatus: successStatus ?? '200',
    responseType: response?.type ?? 'none',
    responseFields: response && responseFields(response.schema),
  };
}

/** Reads an OpenAPI 3.x document into operations grouped by their first tag, in document order. */
export function readApiReference(document: unknown): ApiReference {
  if (!isObject(document) || !isObject(document.paths)) {
    throw new Error('The document has no paths: it is not an OpenAPI document.');
  }
  const info = isObject(document.info) ? document.info : {};
  const groups = new Map<string, ApiOperation[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const raw = item[method];
      if (!isObject(raw)) continue;
      const entry = operation(path, method, raw);
      groups.set(entry.tag, [...(groups.get(entry.tag) ?? []), entry]);
    }
  }
  return {
    title: typeof info.title === 'string' ? info.title : 'API',
    version: typeof info.version === 'string' ? info.version : '',
    groups: [...groups].map(([tag, operations]) => ({ tag, operations })),
  };
}

export async function fetchApiReference(signal: AbortSignal): Promise<ApiReference> {
  const response = await fetch('/openapi.json', {
    signal,
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}.`);
  return readApiReference(await response.json());
}
