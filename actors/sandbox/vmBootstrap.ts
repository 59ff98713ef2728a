/** Host facilities no isolate has; touching one is a `MANDATE_ERR_SANDBOX_FORBIDDEN` violation. */
export const FORBIDDEN_GLOBALS = [
  'process',
  'require',
  'module',
  'exports',
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'Buffer',
  'global',
  '__dirname',
  '__filename',
  'Deno',
  'Bun',
  'importScripts',
  // V8's WebAssembly memories live outside the heap that isolated-vm limits (QuickJS has none).
  'WebAssembly',
] as const;

/**
 * Evaluated in every new isolate before the strategy module, as a function expression called
 * with host functions `forbidden(name)` and `denied(name)` (record a violation; the VM side
 * throws), `granted(name)` (whether the current call holds that capability), `cap(name, json)`
 * (a promise, or undefined for refused arguments) and the forbidden names. It installs
 * traps for {@link FORBIDDEN_GLOBALS}, builds the `caps` object (a proxy that hands out the current
 * call's granted capabilities and reports any other name), freezes every built-in and its
 * prototype (so code cannot pollute what the next statement or a passed-in object relies on), and
 * returns `invoke(fn, inputJson, done, failed)`: parse the input, deep-freeze it, call the
 * strategy function with it and `caps`, and hand the result as JSON to `done` (or the error to
 * `failed`) — at once for a plain value, through the isolate's job queue for a promise. The host functions stay in the
 * closure; nothing of the host is reachable from the global object.
 */
export const VM_BOOTSTRAP = `(function (forbidden, denied, granted, cap, names) {
  'use strict';
  const g = globalThis;
  // Taken once (the global object is frozen below, so these are what the module sees too).
  const { freeze: freezeOne, values } = Object;
  const { parse, stringify } = JSON;
  for (const name of names) {
    const refuse = () => { forbidden(name); throw new TypeError('sandboxed code has no ' + name); };
    Object.defineProperty(g, name, { get: refuse, set: refuse, configurable: false });
  }
  const refuse = (key) => { denied(String(key)); throw new TypeError('caps is read-only'); };
  const caps = new Proxy({}, {
    get(target, key) {
      if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
      if (!granted(String(key))) {
        denied(String(key));
        throw new TypeError('capability ' + String(key) + ' was not granted');
      }
      return (args) => {
        const promise = cap(String(key), stringify(args === undefined ? null : args));
        if (promise === undefined) throw new TypeError('capability ' + String(key) + ' refused its arguments');
        return promise.then((json) => parse(json));
      };
    },
    set: (t, key) => refuse(key),
    defineProperty: (t, key) => refuse(key),
    deleteProperty: (t, key) => refuse(key),
    setPrototypeOf: () => refuse('__proto__'),
    has(target, key) { return typeof key === 'string' && granted(key); },
  });
  Object.defineProperty(g, 'caps', { value: caps, writable: false, configurable: false });
  const seen = new Set();
  const freeze = (v) => {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) return;
    seen.add(v);
    Object.freeze(v);
    for (const k of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (d !== undefined && 'value' in d) freeze(d.value);
    }
    freeze(Object.getPrototypeOf(v));
  };
  for (const k of Reflect.ownKeys(g)) {
    if (k === 'caps' || names.includes(k)) continue;
    const d = Object.getOwnPropertyDescriptor(g, k);
    if (d !== undefined && 'value' in d) freeze(d.value);
  }
  freeze(Object.getPrototypeOf(async function () {}));
  freeze(Object.getPrototypeOf(function* () {}));
  freeze(Object.getPrototypeOf(async function* () {}));
  // Object.values, not for-in: about a quarter of the cost on V8 (for-in walks the prototype chain too).
  const deepFreeze = (v) => {
    if (typeof v === 'object' && v !== null) {
      const xs = values(v);
      for (let i = 0; i < xs.length; i++) { const x = xs[i]; if (typeof x === 'object' && x !== null) deepFreeze(x); }
      freezeOne(v);
    }
    return v;
  };
  const toJson = (result) => { const json = stringify(result); return json === undefined ? 'null' : json; };
  return function invoke(fn, inputJson, done, failed) {
    let result;
    try {
      result = fn(deepFreeze(parse(inputJson)), caps);
    } catch (error) {
      failed(error);
      return;
    }
    // A promise (an async strategy, or one awaiting caps) settles through the job queue; a plain value is done now.
    if ((typeof result === 'object' || typeof result === 'function') && result !== null && typeof result.then === 'function') {
      Promise.resolve(result).then(toJson).then(done, failed);
      return;
    }
    let json;
    try {
      json = toJson(result);
    } catch (error) {
      failed(error);
      return;
    }
    done(json);
  };
})`;
