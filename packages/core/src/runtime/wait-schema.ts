import type { z } from 'zod';
import type { ValidateFunction } from 'ajv';
import type { InputIssue } from '../errors/wait-input-invalid-error.js';

/**
 * Waits keep their input's schema as JSON Schema, so the CLI, the dashboard and MCP clients — which
 * do not have the flow's code — can validate input and render a form for it. The zod schema still
 * decides when the flow resumes (it may hold refinements JSON Schema cannot say).
 *
 * zod's converter and ajv are loaded on first use: every `keel` command imports core, and most never
 * open or answer a wait.
 */
export async function toStoredSchema(schema: z.ZodType): Promise<Record<string, unknown>> {
  const { z: zod } = await import('zod');
  return zod.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

let compile: Promise<(schema: Record<string, unknown>) => ValidateFunction> | undefined;
const validators = new Map<string, ValidateFunction>();

/** Checks a value against a stored JSON Schema; no issues means valid. */
export async function validateStoredSchema(schema: Readonly<Record<string, unknown>>, value: unknown): Promise<InputIssue[]> {
  compile ??= import('ajv/dist/2020.js').then(({ Ajv2020 }) => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    return (source: Record<string, unknown>) => ajv.compile(source);
  });
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = (await compile)(schema as Record<string, unknown>);
    validators.set(key, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => ({
    path: error.instancePath,
    message: error.message ?? 'is invalid',
  }));
}

/** Turns zod's complaints into {@link InputIssue}s with JSON-Pointer paths. */
export function zodIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? `/${issue.path.map(String).join('/')}` : '',
    message: issue.message,
  }));
}
