/**
 * A tiny DOM builder: `h('button', { onclick }, 'Pause')`. Text is always set
 * as text, never as HTML, so nothing from the API can inject markup.
 */
import { formatTime } from './timeZone.ts';

/** Attributes and event handlers for {@link h}. */
export type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** A child: a node, text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Creates an element with attributes, handlers (`on…`) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element. */
export function s(
  tag: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: Child[]
): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(key, String(value));
  append(el, children);
  return el;
}

function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A time for tables and timelines, in the operator's chosen zone (labelled in the header). */
export function time(at: number): string {
  return formatTime(at);
}

/** An event handler running `fn` without waiting for it (it reports its own failures). */
export function fire(fn: () => Promise<void>): () => void {
  return () => void fn();
}
