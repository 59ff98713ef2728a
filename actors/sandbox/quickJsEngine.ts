import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';

let compiled: Promise<WebAssembly.Module> | undefined;
let instance: Promise<QuickJSWASMModule> | undefined;

/**
 * The current QuickJS WebAssembly instance. The code is compiled once per process; an instance
 * that hosted a failed isolate is replaced (see {@link retireQuickJs}).
 */
export function quickJs(): Promise<QuickJSWASMModule> {
  compiled ??= readFile(createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm')).then(
    (bytes) => WebAssembly.compile(bytes),
  );
  return (instance ??= compiled.then((wasmModule) =>
    newQuickJSWASMModuleFromVariant(
      // The variant's types are CommonJS-flavoured (`export default` read as the module object under NodeNext); its ESM build's default export is the variant.
      newVariant(variant as unknown as QuickJSSyncVariant, { wasmModule }),
    ),
  ));
}

/**
 * Stops handing out `which`. QuickJS cannot always free a runtime stopped mid-flight (interrupted,
 * out of memory): its leak check aborts the WebAssembly instance. So an instance that hosted a
 * failed isolate is dropped whole (V8 collects its memory) and later isolates get a fresh one.
 */
export function retireQuickJs(which: Promise<QuickJSWASMModule>): void {
  if (instance === which) instance = undefined;
}

/** CPU time of this process so far, in ms (user + system). */
export function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
