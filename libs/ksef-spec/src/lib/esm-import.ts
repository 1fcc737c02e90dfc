import * as vm from 'node:vm';

type Importer = (specifier: string) => Promise<unknown>;

/**
 * Loads an ESM-only package from CommonJS code. TypeScript (module: commonjs), webpack and jest all rewrite a
 * literal `import()` into `require()`, which cannot load ESM; a Function body is opaque to them, so the runtime's
 * native `import()` runs. Under jest the test code lives in a vm context without a dynamic-import callback, so
 * there we fall back to a script compiled with Node's main-context loader (same resolution as a real import).
 */
export async function importEsm<T>(specifier: string): Promise<T> {
  const native = new Function('s', 'return import(s)') as Importer;
  try {
    return (await native(specifier)) as T;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING' && !/dynamic import callback/i.test(String(error))) {
      throw error;
    }
    return (await mainContextImporter()(specifier)) as T;
  }
}

let fallback: Importer | undefined;

function mainContextImporter(): Importer {
  if (!fallback) {
    const script = new vm.Script('(s) => import(s)', {
      filename: __filename,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER as unknown as undefined,
    });
    fallback = script.runInThisContext() as Importer;
  }
  return fallback;
}
