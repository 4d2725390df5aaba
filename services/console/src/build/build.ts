/**
 * Bundles the console (src/web) with esbuild into `dist/`: one JS and one CSS file named by
 * their content hash (so they can be cached for a year), an `index.html` that names them, and
 * gzip and brotli copies of each, which the API serves to clients that accept them. Fails when
 * the first load exceeds its budget.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_OUT_DIRECTORY = join(packageDirectory, 'dist');
const webDirectory = join(packageDirectory, 'src', 'web');

/**
 * First-load budget in bytes: JS and CSS together, gzip-compressed. 300 KB is the console's
 * acceptance limit (fonts aside): a desk on a slow community network still loads it in seconds.
 */
export const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

/**
 * The console imports the pure domain package for its rules (the ID number's check character).
 * Its modules build zod schemas at load time, which a bundler must keep unless told the package
 * has no side effects; the domain is pure by rule (docs/architecture.md), so every module of it
 * is marked so, and only what the console uses is bundled (about 1 KB instead of 100 KB).
 */
const pureDomain: Plugin = {
  name: 'pure-domain',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'pure-domain') return undefined;
      const fromDomain = args.importer.includes(`${join('packages', 'domain', 'src')}`);
      if (args.path !== '@timebank/domain' && !fromDomain) return undefined;
      const resolved = await builder.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'pure-domain',
      });
      return resolved.errors.length > 0
        ? { errors: resolved.errors }
        : { path: resolved.path, sideEffects: false };
    });
  },
};

export interface BuildReport {
  readonly outDirectory: string;
  /** Paths relative to the out directory, e.g. `assets/main-ABCD1234.js`. */
  readonly files: readonly string[];
  readonly firstLoadGzipBytes: number;
}

export class BudgetExceededError extends Error {}

export async function buildConsole(outDirectory: string = DEFAULT_OUT_DIRECTORY): Promise<BuildReport> {
  await rm(outDirectory, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(webDirectory, 'main.ts')],
    outdir: join(outDirectory, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    tsconfig: join(packageDirectory, 'tsconfig.json'),
    metafile: true,
    plugins: [pureDomain],
    logLevel: 'silent',
    absWorkingDir: packageDirectory,
  });
  const assets = Object.keys(result.metafile.outputs).map((output) =>
    relative(outDirectory, join(packageDirectory, output)),
  );
  const script = assets.find((file) => file.endsWith('.js'));
  const style = assets.find((file) => file.endsWith('.css'));
  if (script === undefined || style === undefined) throw new Error('the console build produced no JS or CSS');
  await writeFile(join(outDirectory, 'index.html'), indexHtml(script, style));

  let firstLoadGzipBytes = 0;
  for (const file of [...assets, 'index.html']) {
    const body = await readFile(join(outDirectory, file));
    const gzip = gzipSync(body, { level: 9 });
    if (file !== 'index.html') firstLoadGzipBytes += gzip.length;
    await writeFile(join(outDirectory, `${file}.gz`), gzip);
    await writeFile(
      join(outDirectory, `${file}.br`),
      brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
  if (firstLoadGzipBytes > FIRST_LOAD_BUDGET_BYTES) {
    throw new BudgetExceededError(
      `console first load is ${firstLoadGzipBytes} bytes gzipped, over the ${FIRST_LOAD_BUDGET_BYTES}-byte budget`,
    );
  }
  const files = [...assets, 'index.html'];
  // Written last: a bundle without it is incomplete and is rebuilt.
  await writeFile(join(outDirectory, 'files.json'), JSON.stringify(files));
  return { outDirectory, files, firstLoadGzipBytes };
}

/**
 * The console's icon, inline (a clock face in the header's blue), so that a browser never asks for
 * `/favicon.ico`, which the API does not serve: each page load logged a 404 in the browser and on
 * the server. The CSP's `img-src` allows `data:`.
 */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E" +
  "%3Ccircle cx='16' cy='16' r='14' fill='%230b3d6e'/%3E" +
  "%3Cpath d='M16 7v9l6 4' stroke='white' stroke-width='3' fill='none' stroke-linecap='round'/%3E%3C/svg%3E";

function indexHtml(script: string, style: string): string {
  // zh-CN is the default language; the app switches `lang` when the user picks English.
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>时间银行控制台</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="/console/${style}">
<script type="module" src="/console/${script}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
}

/** Newest modification time (ms) of the console's sources, so a bundle older than them is rebuilt. */
async function newestSourceMs(): Promise<number> {
  let newest = 0;
  const sources = [webDirectory, join(packageDirectory, 'src', 'build')];
  while (sources.length > 0) {
    const directory = sources.pop()!;
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) sources.push(path);
      else newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}

/** True when the bundle's file list exists and is newer than every source file. */
export async function bundleIsCurrent(outDirectory: string = DEFAULT_OUT_DIRECTORY): Promise<boolean> {
  try {
    const built = await stat(join(outDirectory, 'files.json'));
    return built.mtimeMs >= (await newestSourceMs());
  } catch {
    return false;
  }
}
