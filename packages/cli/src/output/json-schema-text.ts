type Schema = Readonly<Record<string, unknown>>;

/**
 * A wait's JSON Schema as a short type a person can read: `{ approved: boolean, note?: string }`,
 * `"rerun" | "fail"`, `number[]`.
 */
export function describeSchema(schema: Schema | undefined, depth = 0): string {
  if (!schema || typeof schema !== 'object') return 'any';
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map((option) => describeSchema(option as Schema, depth + 1)).join(' | ');
  }
  const type = schema.type;
  if (Array.isArray(type)) return type.map((entry) => describeSchema({ ...schema, type: entry }, depth)).join(' | ');
  if (type === 'object' || (type === undefined && typeof schema.properties === 'object')) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const entries = Object.entries(properties);
    if (entries.length === 0) return 'object';
    if (depth > 2) return '{ … }';
    return `{ ${entries.map(([name, property]) => `${name}${required.has(name) ? '' : '?'}: ${describeSchema(property, depth + 1)}`).join(', ')} }`;
  }
  if (type === 'array') {
    const items = describeSchema(schema.items as Schema | undefined, depth + 1);
    return items.includes(' ') ? `(${items})[]` : `${items}[]`;
  }
  if (typeof type === 'string') return type === 'integer' ? 'integer' : type;
  return 'any';
}

/**
 * A value that satisfies a wait's JSON Schema as far as a sample can, to put into the command a person
 * pastes: required fields with a value of their type (the first enum value, a boolean `true`, …).
 */
export function sampleFromSchema(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 4) return null;
  if ('default' in schema) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length) {
      const useful = options.find((option) => (option as Schema).type !== 'null') ?? options[0];
      return sampleFromSchema(useful as Schema, depth + 1);
    }
  }
  const type = Array.isArray(schema.type) ? (schema.type.find((entry) => entry !== 'null') ?? schema.type[0]) : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      const names = required.length ? required : Object.keys(properties).slice(0, 1);
      return Object.fromEntries(names.map((name) => [name, sampleFromSchema(properties[name], depth + 1)]));
    }
    case 'array':
      return typeof schema.minItems === 'number' && schema.minItems > 0 ? [sampleFromSchema(schema.items as Schema, depth + 1)] : [];
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'string':
      return typeof schema.minLength === 'number' && schema.minLength > 3 ? 'x'.repeat(schema.minLength) : '…';
    case 'null':
      return null;
    default:
      return properties(schema) ? sampleFromSchema({ ...schema, type: 'object' }, depth) : null;
  }
}

function properties(schema: Schema): boolean {
  return typeof schema.properties === 'object' && schema.properties !== null;
}

/** The schema without `$schema` (noise in output). */
export function withoutDialect(schema: Schema): Schema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
