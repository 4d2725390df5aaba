/**
 * Starting a worker thread on a module beside its caller (the SQLite store's writer thread, the
 * projector thread in ledger-api, a rebuild's background writer). Here, in the port's package,
 * so a library reaches it without importing an adapter. Compiled to JavaScript, the entry is
 * started as it is. Run as TypeScript (under `node --import tsx`, or bundled by scripts/launch.mjs as
 * `pnpm start` does, which keeps each module's own URL), a worker on Node 20 does not inherit the loader,
 * and registering tsx in it gives the thread a loader thread of its own: another V8 isolate, with
 * tsx and every compiled module in it, about 25 MiB resident per worker (measured: a worker that
 * registers tsx holds 34 MiB, an empty one 9). So the worker bundles its entry instead: esbuild
 * (the one tsx runs on) compiles the entry and the workspace's modules it imports into one ES
 * module, which the worker imports from a `data:` URL; packages from node_modules stay imports of
 * their files, loaded by Node as usual. Nothing is written to disk, so a read-only checkout runs
 * it too. The bundle is built in the worker, by a service of its own that stops once it is done:
 * esbuild's service is one per isolate, and stopping the request thread's would fail a console
 * build running in it at the time.
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The worker's first script (CommonJS, `eval`): bundles `ENTRY` and imports the bundle. A bare
 * import is resolved from the file that makes it; one that lands in node_modules becomes an
 * import of that file's URL (a `data:` module resolves nothing else), and node:* stays as it is.
 * A dynamic `import()` of a workspace package stays one too: such an import loads an engine's
 * adapter only when configured (ledger-opener), and a bundle would load the adapter's driver at
 * start whether taken or not. The workers never take one (they run on SQLite; loading a `.ts`
 * file there would fail loudly).
 */
const BOOTSTRAP = `
const { build, stop } = require(ESBUILD);
const { pathToFileURL } = require('node:url');
const nodeModulesExternal = {
  name: 'node-modules-external',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const found = await bundler.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (found.errors.length > 0) return { errors: found.errors };
      if (found.external) return { path: found.path, external: true };
      const inNodeModules = /[\\\\/]node_modules[\\\\/]/.test(found.path);
      if (!inNodeModules && args.kind !== 'dynamic-import') return { path: found.path };
      return { path: pathToFileURL(found.path).href, external: true };
    });
  },
};
build({
  entryPoints: [ENTRY],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'silent',
  plugins: [nodeModulesExternal],
})
  .finally(stop)
  .then((result) =>
    import('data:text/javascript;base64,' + Buffer.from(result.outputFiles[0].contents).toString('base64')),
  );
`;

/**
 * Starts a worker on `entry`, a module beside the caller named with the caller's own extension
 * (`callerUrl` is the caller's `import.meta.url`): as it is when that is JavaScript, bundled as
 * above when it is TypeScript.
 */
export function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions): Worker {
  const extension = extname(fileURLToPath(callerUrl));
  const entry = new URL(`./${name}${extension}`, callerUrl);
  if (extension !== '.ts') return new Worker(entry, options);
  // This code runs as TypeScript only under tsx, so tsx and its esbuild are installed.
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/esm/api')).resolve('esbuild');
  const bootstrap = BOOTSTRAP.replace('ESBUILD', JSON.stringify(esbuild)).replace(
    'ENTRY',
    JSON.stringify(fileURLToPath(entry)),
  );
  return new Worker(bootstrap, { ...options, eval: true });
}
