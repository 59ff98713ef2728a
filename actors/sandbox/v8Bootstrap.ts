import { VM_BOOTSTRAP } from './vmBootstrap.ts';

/**
 * The V8 engine's side of {@link VM_BOOTSTRAP}, run once in each new context as the body of a
 * closure (`context.evalClosureSync`) with host callbacks `$0` forbidden(name), `$1` denied(name),
 * `$2` granted(name), `$3` capStart(name, argsJson) (a call id, or -1 for a refused call), `$4`
 * done(json), `$5` failed(description) and `$6` the forbidden names as JSON. A capability's promise
 * is made here and settled by the host through `settle(id, ok, payload)`. Returns `bind(ns, names)`
 * (keeps the module's strategy functions; the name of one that is not a function, if any), `run(fn,
 * inputJson)` (the result as JSON when the function returned a plain value; otherwise undefined,
 * and the result reaches `done`, or the error's name and message `failed`) and `settle`. The host
 * callbacks stay in this closure; the module sees none of them.
 */
export const V8_BOOTSTRAP = `'use strict';
const [forbidden, denied, granted, capStart, done, failed] = [$0, $1, $2, $3, $4, $5];
const waiting = new Map();
const cap = (name, json) => {
  const id = capStart(name, json);
  if (id < 0) return undefined;
  return new Promise((resolve, reject) => { waiting.set(id, [resolve, reject]); });
};
const invoke = (${VM_BOOTSTRAP})(forbidden, denied, granted, cap, JSON.parse($6));
const describe = (error) => {
  try {
    if (typeof error === 'object' && error !== null) return String(error.name ?? 'Error') + ': ' + String(error.message ?? '');
    return String(error);
  } catch {
    return 'Error: (a thrown value that cannot be printed)';
  }
};
const fns = new Map();
const fail = (error) => failed(describe(error));
return {
  bind(ns, namesJson) {
    const names = JSON.parse(namesJson);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      let fn;
      try { fn = ns[name]; } catch { fn = undefined; }
      if (typeof fn !== 'function') return name;
      fns.set(name, fn);
    }
    return undefined;
  },
  run(name, inputJson) {
    let now = true;
    let out;
    invoke(fns.get(name), inputJson, (json) => { if (now) out = json; else done(json); }, fail);
    now = false;
    return out;
  },
  settle(id, ok, payload) {
    const w = waiting.get(id);
    if (w === undefined) return;
    waiting.delete(id);
    if (ok) w[0](payload); else w[1](new Error(payload));
  },
};`;
