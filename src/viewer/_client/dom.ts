/// <reference lib="dom" />
// Building the page: elements from a tag, attributes and children. Text
// always goes in as text (a text node or textContent), never as markup.

/** What an element may hold: nodes, text, and nothing (skipped). */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** The inline style of an element, by property (`overflowX`, `background`). */
export type Style = { [K in keyof CSSStyleDeclaration]?: string };

/**
 * Attributes of {@linkcode h}: `class`, `text` (the text content), `style`,
 * `on<event>` (a listener), `hidden` and `disabled` (set when true); any
 * other as an attribute. `null`, `undefined` and `false` leave one out.
 */
export interface Props {
  class?: string | null;
  text?: string;
  style?: Style;
  hidden?: boolean;
  disabled?: boolean;
  [attribute: string]: unknown;
}

/** An element with its attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const key in props) {
      const value = props[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value as string;
      else if (key === "text") el.textContent = value as string;
      else if (key === "style") Object.assign(el.style, value);
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value as EventListener);
      else if (key === "hidden") el.hidden = true;
      else if (key === "disabled") (el as HTMLButtonElement).disabled = true;
      else el.setAttribute(key, String(value));
    }
  }
  for (const child of children) add(el, child);
  return el;
}

/** Appends children to an element: nodes as they are, anything else as text. */
export function add(el: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) add(el, c);
    return;
  }
  el.appendChild(
    typeof child === "object" ? child as Node : document.createTextNode(String(child)),
  );
}

/** Removes every child of an element. */
export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
