/* global process */
/**
 * Runs a TypeScript entry of this workspace as plain JavaScript, the way `pnpm start` and
 * `pnpm ledger` start the ledger:
 *
 *   node [node flags] scripts/launch.mjs services/ledger-api/src/server.ts [arguments…]
 *
 * Why not `node --import tsx`, as most tests do: on Node 20, tsx's loader hooks run on a thread of
 * their own, another V8 isolate holding tsx, esbuild's client and every compiled module for the
 * life of the process. Measured on the server idle after start (the flags of `pnpm start`, two
 * alternating starts each, 2026-12-05): 161 MiB resident under tsx, 137–139 MiB from this bundle.
 *
 * So the entry and the workspace modules it imports are bundled with esbuild (the one tsx runs on,
 * so nothing new is installed) into ES modules on disk, one chunk per dynamic import (an engine's
 * adapter, the Kafka relay, the PDF renderer), so a driver that is not configured is never loaded.
 * Packages from node_modules stay imports of their own files. Every workspace module's
 * `import.meta.url` is its source file's URL, so what is resolved beside a source file (worker
 * threads, which bundle themselves as `startModuleWorker` describes; the console's files) is found
 * as under tsx. Stack traces point at the TypeScript sources through the bundle's source maps.
 *
 * The bundles live in node_modules/.cache/timebank-launch-<format> (the OS temp dir when that cannot be
 * written), one directory per content hash, written whole and then renamed into place, so two
 * processes starting at once (the workers of `LEDGER_PROCESSES`) never read a half-written one.
 * A manifest of the sources' sizes and modification times lets a start whose sources did not
 * change skip esbuild. A build no running process uses and older than a day is removed; a running
 * process marks its build so that a chunk it loads later (on its first PDF, say) is still there.
 */
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const LAUNCHER = fileURLToPath(import.meta.url);
const ROOT = dirname(dirname(LAUNCHER));
/** A build unused for this long, in milliseconds, is removed at a later start: one day. */
const BUILD_KEPT_MS = 24 * 60 * 60 * 1000;
/** Format of the cache, in its directory name: a change to how bundles are made starts a new one. */
// 4: manifests record each source as it was before it was read (format 3 could record a source
// changed during the build as bundled, and run its old code until it changed again).
const CACHE_FORMAT = 4;

function usage(message) {
  process.stderr.write(
    `scripts/launch.mjs: ${message}\nusage: node scripts/launch.mjs <entry.ts> [arguments…]\n`,
  );
  process.exit(2);
}

/** The cache directory: in node_modules when it can be written, the temp dir otherwise. */
function cacheDirectory() {
  for (const base of [join(ROOT, 'node_modules', '.cache'), tmpdir()]) {
    const directory = join(base, `timebank-launch-${CACHE_FORMAT}`);
    try {
      mkdirSync(directory, { recursive: true });
      const probe = join(directory, `.probe-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
      return directory;
    } catch {
      // Read-only: try the next place.
    }
  }
  throw new Error(
    'no writable directory for the bundle (node_modules/.cache and the temp dir are read-only)',
  );
}

/**
 * esbuild's plugin: workspace modules are bundled with their own URL; node_modules stay imports of
 * their files. Each TypeScript source's size and modification time are taken into `seen` before it
 * is read: a source changed while the build ran (a `git pull` beside a starting process) then no
 * longer matches the manifest, and the next launch bundles it again instead of running the old
 * code for good.
 */
function workspacePlugin(seen) {
  return {
    name: 'timebank-workspace',
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
        if (!/[\\/]node_modules[\\/]/.test(found.path)) return { path: found.path };
        return { path: pathToFileURL(found.path).href, external: true };
      });
      bundler.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        const stat = statSync(args.path);
        seen.set(resolve(args.path), [stat.size, stat.mtimeMs]);
        const source = await readFile(args.path, 'utf8');
        const contents = source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** True when every source of the last build still has the size and modification time it had. */
function unchanged(inputs) {
  for (const [path, [size, mtimeMs]] of Object.entries(inputs)) {
    try {
      const stat = statSync(path);
      if (stat.size !== size || stat.mtimeMs !== mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function readManifest(path) {
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof manifest.build !== 'string' || typeof manifest.inputs !== 'object') return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}

async function bundle(entry, cache) {
  /** Size and modification time of each source as it was before it was read. */
  const seen = new Map();
  const esbuild = createRequire(createRequire(join(ROOT, 'package.json')).resolve('tsx/esm/api'))('esbuild');
  const result = await esbuild
    .build({
      entryPoints: [entry],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: join(cache, 'out'),
      // .mjs: a file under node_modules has no package scope, so a .js one would be read as CommonJS.
      outExtension: { '.js': '.mjs' },
      sourcemap: 'linked',
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [workspacePlugin(seen)],
    })
    .catch((error) => {
      // A source esbuild cannot read (a syntax error, an import of a file that is not there):
      // its own message names the file and line; a stack trace of esbuild's would only hide it.
      if (!Array.isArray(error.errors)) throw error;
      process.stderr.write(
        `scripts/launch.mjs: cannot bundle ${relative(process.cwd(), entry)}:\n${error.message}\n`,
      );
      process.exit(1);
    })
    .finally(() => esbuild.stop());
  const hash = createHash('sha256');
  for (const file of result.outputFiles) hash.update(relative(cache, file.path)).update(file.hash);
  const build = `build-${hash.digest('hex').slice(0, 16)}`;
  const target = join(cache, build);
  if (!existsSync(target)) {
    const staging = join(cache, `.staging-${process.pid}-${Date.now()}`);
    for (const file of result.outputFiles) {
      const path = join(staging, relative(join(cache, 'out'), file.path));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.contents);
    }
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another process renamed the same build into place first: theirs is identical.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(target)) throw error;
    }
  }
  // The sources bundled, and the files of node_modules the bundle imports by path: after a
  // `pnpm install` that changed a package's version, the old path may be gone, so the build is
  // made again rather than failing at an import.
  const paths = new Set(Object.keys(result.metafile.inputs).map((input) => resolve(input)));
  for (const output of Object.values(result.metafile.outputs)) {
    for (const { path, external } of output.imports)
      if (external && path.startsWith('file:')) paths.add(fileURLToPath(path));
  }
  const inputs = {};
  for (const path of paths) {
    if (seen.has(path)) {
      inputs[path] = seen.get(path);
      continue;
    }
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    inputs[path] = [stat.size, stat.mtimeMs];
  }
  return { build, inputs };
}

/** Removes builds older than a day that no live process has marked as its own. */
function prune(cache, keep) {
  for (const name of readdirSync(cache)) {
    if (name === keep || !(name.startsWith('build-') || name.startsWith('.staging-'))) continue;
    const path = join(cache, name);
    try {
      if (Date.now() - statSync(path).mtimeMs < BUILD_KEPT_MS) continue;
      const users = existsSync(join(path, '.users')) ? readdirSync(join(path, '.users')) : [];
      const alive = users.some((pid) => {
        try {
          process.kill(Number(pid), 0);
          return true;
        } catch (error) {
          return error.code === 'EPERM';
        }
      });
      if (!alive) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another start at the same moment, or not ours to remove: leave it.
    }
  }
  // A manifest whose build is gone names an entry not started for a day (a test's, often).
  for (const name of readdirSync(cache)) {
    if (!name.endsWith('.json')) continue;
    const manifest = readManifest(join(cache, name));
    if (manifest === undefined || !existsSync(join(cache, manifest.build)))
      rmSync(join(cache, name), { force: true });
  }
}

const [entryArgument, ...rest] = process.argv.slice(2);
if (entryArgument === undefined || !/\.[cm]?ts$/.test(entryArgument)) usage('name a TypeScript entry');
const entry = resolve(entryArgument);
if (!existsSync(entry)) usage(`${entryArgument} does not exist`);

const cache = cacheDirectory();
const entryKey = createHash('sha256').update(entry).digest('hex').slice(0, 12);
const manifestPath = join(cache, `${basename(entry).replace(/\.[cm]?ts$/, '')}-${entryKey}.json`);
let manifest = readManifest(manifestPath);
if (manifest === undefined || !existsSync(join(cache, manifest.build)) || !unchanged(manifest.inputs)) {
  manifest = await bundle(entry, cache);
  const staging = `${manifestPath}.${process.pid}`;
  writeFileSync(staging, JSON.stringify(manifest));
  renameSync(staging, manifestPath);
}
const buildDirectory = join(cache, manifest.build);
mkdirSync(join(buildDirectory, '.users'), { recursive: true });
writeFileSync(join(buildDirectory, '.users', String(process.pid)), '');
process.on('exit', () => rmSync(join(buildDirectory, '.users', String(process.pid)), { force: true }));
prune(cache, manifest.build);

// The workers of `LEDGER_PROCESSES` start as this process did, through this launcher; the entry
// sees the arguments it would see run directly.
if (cluster.isPrimary) cluster.setupPrimary({ exec: LAUNCHER, args: [entry, ...rest] });
process.argv = [process.argv[0], entry, ...rest];
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(buildDirectory, basename(entry).replace(/\.[cm]?ts$/, '.mjs'))).href);
