/**
 * The built console as the API serves it: every file of `dist/` read into memory once with its
 * content type, cache policy and precompressed copies. The bundle is (re)built first when it is
 * missing or older than the sources, so a fresh clone's `pnpm start` serves it even if the
 * install step did not build it.
 */
import { readFile, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { bundleIsCurrent, DEFAULT_OUT_DIRECTORY } from './build/build.js';
import { buildAndInstall } from './build/install.js';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly brotli: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Hashed assets never change under their name, so browsers keep them for a year (the longest
 * `max-age` RFC 9111 advises); `index.html` names the current ones, so it is revalidated every time.
 */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Keys are paths below `/console/`: `''` for the page itself, `assets/main-<hash>.js`, … */
export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

async function readAssets(directory: string): Promise<ConsoleAssets> {
  const files = JSON.parse(await readFile(join(directory, 'files.json'), 'utf8')) as string[];
  const assets = new Map<string, ConsoleAsset>();
  for (const file of files) {
    const path = join(directory, file);
    const contentType = CONTENT_TYPES[extname(file)];
    if (contentType === undefined) throw new Error(`console asset ${file} has no known content type`);
    assets.set(file === 'index.html' ? '' : file, {
      body: await readFile(path),
      gzip: await readFile(`${path}.gz`),
      brotli: await readFile(`${path}.br`),
      contentType,
      cacheControl: file === 'index.html' ? REVALIDATE : IMMUTABLE,
    });
  }
  return assets;
}

export async function loadConsoleAssets(
  outDirectory: string = DEFAULT_OUT_DIRECTORY,
): Promise<ConsoleAssets> {
  if (await bundleIsCurrent(outDirectory)) {
    try {
      return await readAssets(outDirectory);
    } catch {
      // Replaced by another process while we read it: build a copy of our own below.
    }
  }
  const built = await buildAndInstall(outDirectory);
  const assets = await readAssets(built);
  if (built !== outDirectory) await rm(built, { recursive: true, force: true });
  return assets;
}

export { FIRST_LOAD_BUDGET_BYTES } from './build/build.js';
