import { z } from 'zod';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { InputIssue } from '../errors/wait-input-invalid-error.js';

/**
 * Waits keep their input's schema as JSON Schema, so the CLI, the dashboard and MCP clients — which
 * do not have the flow's code — can validate input and render a form for it. The zod schema still
 * decides when the flow resumes (it may hold refinements JSON Schema cannot say).
 */
export function toStoredSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

/** Checks a value against a stored JSON Schema; no issues means valid. */
export function validateStoredSchema(schema: Readonly<Record<string, unknown>>, value: unknown): InputIssue[] {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(schema as Record<string, unknown>);
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
