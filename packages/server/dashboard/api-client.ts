/** An error answer of the API: its stable code, its message, and details such as input issues. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, body: { code?: string; message?: string; [field: string]: unknown }) {
    super(body.message ?? `The server answered ${status}.`);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = body.code ?? 'unknown';
    this.details = body;
  }

  /** Schema complaints of a refused wait input. */
  get issues(): readonly { path: string; message: string }[] {
    const issues = this.details.issues;
    return Array.isArray(issues) ? (issues as { path: string; message: string }[]) : [];
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
    throw new ApiFailure(response.status, (error as { code?: string; message?: string }) ?? { message: text || response.statusText });
  }
  return { status: response.status, body: parsed as T };
}

/** GET an API path and parse its JSON. */
export async function apiGet<T>(path: string): Promise<T> {
  return (await request<T>('GET', path)).body;
}

/** POST JSON to an API path. */
export function apiPost<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return request<T>('POST', path, body);
}

/** `/api/executions/<id>` with every part encoded. */
export function executionPath(executionId: string, ...rest: string[]): string {
  return ['/api/executions', executionId, ...rest].map((part, index) => (index === 0 ? part : encodeURIComponent(part))).join('/');
}
