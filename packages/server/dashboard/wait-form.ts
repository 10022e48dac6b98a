import { ApiFailure, apiPost, executionPath } from './api-client.js';
import type { JsonSchema, Wait } from './api-types.js';
import { h, replace, type Child } from './dom.js';
import { formatAgo, formatTime } from './format.js';
import { valueView } from './value-view.js';

/** What a field of the form reads its value from. */
interface Field {
  readonly name: string;
  readonly node: HTMLElement;
  /** The value, or `undefined` to leave the property out. Throws with a message for a bad entry. */
  read(): unknown;
}

/**
 * A form for a pending wait, built from the JSON Schema stored with it: a yes/no question is an
 * Approve / Reject pair, a choice a set of buttons or a select, text and numbers inputs, objects one
 * field per property. Anything the form cannot express gets a JSON editor. Input is sent to the API,
 * which validates it against the same schema; its complaints are shown next to the form.
 */
export function waitForm(executionId: string, wait: Wait, onAnswered: (message: string) => void): HTMLElement {
  const status = h('div', { class: 'form-error', role: 'alert', 'data-testid': 'wait-form-error' });
  const busy = (on: boolean) => form.querySelectorAll('button').forEach((button) => (button.disabled = on));

  const submit = async (value: unknown) => {
    busy(true);
    replace(status);
    try {
      const path = `${executionPath(executionId, 'waits', wait.id, 'input')}?resolvedBy=dashboard`;
      await apiPost(path, value);
      onAnswered(`Answered "${wait.name}". A worker resumes the execution; this page follows it.`);
    } catch (error) {
      busy(false);
      showError(status, error);
    }
  };

  // What pressing Enter (or Submit) in the fields does; the choice and yes/no buttons submit themselves.
  let submitFields: (() => void) | undefined;
  const schema = unwrapOptional(wait.schema) ?? wait.schema;
  const actions = h('div', { class: 'form-actions' });
  const fields: Field[] = [];
  const type = typeOf(schema);

  if (type === 'boolean') {
    actions.append(...approveReject((value) => submit(value)));
  } else if ((type === 'string' || type === undefined) && Array.isArray(schema.enum) && schema.enum.length <= 6) {
    for (const option of schema.enum) {
      actions.append(h('button', { type: 'button', class: 'button', 'data-testid': 'choice-button', onclick: () => submit(option) }, String(option)));
    }
  } else if (type === 'object' && schema.properties) {
    const required = new Set(schema.required ?? []);
    const booleans = Object.entries(schema.properties).filter(([, property]) => typeOf(unwrapOptional(property) ?? property) === 'boolean');
    // One required yes/no property is the decision: it becomes the Approve / Reject buttons.
    const decision = booleans.length === 1 && required.has(booleans[0]![0]) ? booleans[0]![0] : undefined;
    for (const [name, property] of Object.entries(schema.properties)) {
      if (name === decision) continue;
      fields.push(fieldFor(name, property, required.has(name)));
    }
    const collect = (): Record<string, unknown> | undefined => {
      const value: Record<string, unknown> = {};
      try {
        for (const field of fields) {
          const entry = field.read();
          if (entry !== undefined) value[field.name] = entry;
        }
      } catch (error) {
        replace(status, error instanceof Error ? error.message : String(error));
        return undefined;
      }
      return value;
    };
    if (decision) {
      actions.append(
        ...approveReject((approved) => {
          const value = collect();
          if (value) void submit({ ...value, [decision]: approved });
        }),
      );
    } else {
      actions.append(h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'submit-button' }, 'Submit'));
    }
    submitFields = () => {
      const value = collect();
      if (value) void submit(value);
    };
  } else if (type === 'string' || type === 'number' || type === 'integer' || (type === undefined && Array.isArray(schema.enum))) {
    const field = fieldFor('value', schema, true, 'Answer');
    fields.push(field);
    actions.append(h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'submit-button' }, 'Submit'));
    submitFields = () => {
      try {
        void submit(field.read());
      } catch (error) {
        replace(status, error instanceof Error ? error.message : String(error));
      }
    };
  }

  const jsonEditor = h(
    'textarea',
    { class: 'json-input', rows: 4, spellcheck: 'false', 'aria-label': 'Answer as JSON', 'data-testid': 'wait-json' },
    defaultJson(schema),
  );
  const jsonSection = h(
    'details',
    { class: 'json-answer', open: fields.length === 0 && actions.childElementCount === 0 },
    h('summary', null, 'Answer with JSON'),
    jsonEditor,
    h(
      'button',
      {
        type: 'button',
        class: 'button',
        'data-testid': 'submit-json-button',
        onclick: () => {
          let value: unknown;
          try {
            value = JSON.parse(jsonEditor.value);
          } catch (error) {
            replace(status, `That is not JSON: ${error instanceof Error ? error.message : String(error)}`);
            return;
          }
          void submit(value);
        },
      },
      'Submit JSON',
    ),
    h('details', { class: 'schema' }, h('summary', null, 'Expected input (JSON Schema)'), valueView(wait.schema)),
  );

  const form: HTMLFormElement = h(
    'form',
    {
      class: 'wait-form',
      'data-testid': 'wait-form',
      'data-wait-id': wait.id,
      onsubmit: (event: Event) => {
        event.preventDefault();
        submitFields?.();
      },
    },
    h(
      'div',
      { class: 'wait-header' },
      h('strong', null, wait.name),
      ' ',
      h('code', { class: 'muted' }, wait.id),
      h('span', { class: 'muted' }, ` · asked ${formatAgo(wait.createdAt)}`),
      wait.expiresAt !== undefined
        ? h(
            'span',
            { class: 'muted', title: formatTime(wait.expiresAt) },
            ` · times out ${wait.expiresAt > Date.now() ? `at ${formatTime(wait.expiresAt)}` : 'now'}`,
          )
        : null,
    ),
    wait.question ? h('p', { class: 'wait-question', 'data-testid': 'wait-question' }, wait.question) : null,
    metadataView(wait.metadata),
    refusedInputView(wait.metadata),
    fields.map((field) => field.node),
    actions.childElementCount ? actions : null,
    jsonSection,
    status,
  );
  return form;
}

function approveReject(decide: (approved: boolean) => void): HTMLElement[] {
  return [
    h('button', { type: 'button', class: 'button button-approve', 'data-testid': 'approve-button', onclick: () => decide(true) }, '✓ Approve'),
    h('button', { type: 'button', class: 'button button-reject', 'data-testid': 'reject-button', onclick: () => decide(false) }, '✕ Reject'),
  ];
}

function fieldFor(name: string, declared: JsonSchema, required: boolean, label = name): Field {
  const schema = unwrapOptional(declared) ?? declared;
  const type = typeOf(schema);
  const id = `field-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const title = h('label', { for: id }, schema.title ?? label, required ? null : h('span', { class: 'muted' }, ' (optional)'));
  const help = schema.description ? h('div', { class: 'field-help' }, schema.description) : null;
  const wrap = (control: HTMLElement) => h('div', { class: 'field' }, title, help, control);
  const empty = (text: string) => {
    if (text.trim() !== '') return false;
    if (required) throw new Error(`"${label}" is required.`);
    return true;
  };

  if (type === 'boolean') {
    const box = h('input', { type: 'checkbox', id, checked: schema.default === true });
    return { name, node: h('div', { class: 'field field-inline' }, box, title, help), read: () => box.checked };
  }
  if (Array.isArray(schema.enum)) {
    const select = h(
      'select',
      { id },
      required ? null : h('option', { value: '' }, '—'),
      schema.enum.map((option, index) => h('option', { value: String(index) }, String(option))),
    );
    return { name, node: wrap(select), read: () => (select.value === '' ? undefined : schema.enum![Number(select.value)]) };
  }
  if (type === 'string') {
    const long = (schema.maxLength ?? 1000) > 200 && /comment|reason|feedback|note|message|text|body|instruction|summary|answer|edit/i.test(name + label);
    const control = long
      ? h('textarea', { id, rows: 3, ...(schema.maxLength ? { maxlength: schema.maxLength } : {}) }, typeof schema.default === 'string' ? schema.default : '')
      : h('input', {
          id,
          type: 'text',
          value: typeof schema.default === 'string' ? schema.default : '',
          ...(schema.maxLength ? { maxlength: schema.maxLength } : {}),
        });
    return { name, node: wrap(control), read: () => (empty(control.value) && !required ? undefined : control.value) };
  }
  if (type === 'number' || type === 'integer') {
    const input = h('input', {
      id,
      type: 'number',
      step: type === 'integer' ? '1' : 'any',
      ...(schema.minimum !== undefined ? { min: schema.minimum } : {}),
      ...(schema.maximum !== undefined ? { max: schema.maximum } : {}),
      value: typeof schema.default === 'number' ? String(schema.default) : '',
    });
    return {
      name,
      node: wrap(input),
      read: () => {
        if (empty(input.value)) return undefined;
        const value = Number(input.value);
        if (!Number.isFinite(value)) throw new Error(`"${label}" must be a number.`);
        return value;
      },
    };
  }
  if (type === 'array' && schema.items && ['string', 'number', 'integer'].includes(typeOf(schema.items) ?? '')) {
    const itemType = typeOf(schema.items);
    const area = h('textarea', { id, rows: 3, placeholder: 'One per line' });
    return {
      name,
      node: wrap(area),
      read: () => {
        if (empty(area.value)) return undefined;
        const lines = area.value
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
        return itemType === 'string' ? lines : lines.map(Number);
      },
    };
  }
  const area = h('textarea', { id, rows: 3, class: 'json-input', spellcheck: 'false', placeholder: 'JSON' }, defaultJson(schema));
  return {
    name,
    node: wrap(area),
    read: () => {
      if (empty(area.value)) return undefined;
      try {
        return JSON.parse(area.value) as unknown;
      } catch {
        throw new Error(`"${label}" must be JSON.`);
      }
    },
  };
}

/** `{ anyOf: [X, { type: 'null' }] }` (an optional value) → X. */
function unwrapOptional(schema: JsonSchema): JsonSchema | undefined {
  const options = schema.anyOf ?? schema.oneOf;
  if (!options) return undefined;
  const rest = options.filter((option) => option.type !== 'null');
  return rest.length === 1 ? rest[0] : undefined;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  if (schema.properties) return 'object';
  if (typeof schema.const === 'boolean') return 'boolean';
  return undefined;
}

function defaultJson(schema: JsonSchema): string {
  if (schema.default !== undefined) return JSON.stringify(schema.default, null, 2);
  return '';
}

function metadataView(metadata: Readonly<Record<string, unknown>> | undefined): Child {
  if (!metadata) return null;
  const entries = Object.entries(metadata).filter(([key]) => key !== 'refusedInput');
  if (!entries.length) return null;
  return h(
    'dl',
    { class: 'wait-metadata' },
    entries.map(([key, value]) => [
      h('dt', null, key),
      h('dd', null, typeof value === 'string' || typeof value === 'number' ? String(value) : valueView(value, { limit: 1500 })),
    ]),
  );
}

function refusedInputView(metadata: Readonly<Record<string, unknown>> | undefined): Child {
  const refused = metadata?.refusedInput as { issues?: { path: string; message: string }[] } | undefined;
  if (!refused?.issues?.length) return null;
  return h(
    'div',
    { class: 'notice notice-warn' },
    'The last answer was refused by the flow: ',
    refused.issues.map((issue) => `${issue.path || 'value'} ${issue.message}`).join('; '),
  );
}

function showError(target: HTMLElement, error: unknown): void {
  if (error instanceof ApiFailure && error.issues.length) {
    replace(
      target,
      h('div', null, 'The answer does not match what the wait expects:'),
      h(
        'ul',
        null,
        error.issues.map((issue) => h('li', null, `${issue.path || 'the value'} ${issue.message}`)),
      ),
    );
    return;
  }
  replace(target, error instanceof Error ? error.message : String(error));
}
