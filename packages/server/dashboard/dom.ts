/** Something that can be a child of an element. Strings always become text, never markup. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes and event handlers of {@link h}. */
export type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

// Properties set as properties (their attributes would only set the initial state).
const properties = new Set(['value', 'checked', 'disabled', 'selected', 'open', 'indeterminate']);

/**
 * Creates an element. The dashboard builds every node with this (or `document.createTextNode`) and never
 * parses HTML, so stored content (model text, tool output) can only ever be text.
 */
export function h<Tag extends keyof HTMLElementTagNameMap>(tag: Tag, attributes?: Attributes | null, ...children: Child[]): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (properties.has(name)) (element as unknown as Record<string, unknown>)[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children (flattening lists, skipping empty ones). */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
