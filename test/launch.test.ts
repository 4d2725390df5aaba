/**
 * scripts/launch.mjs, the way `pnpm start` and `pnpm ledger` run their TypeScript entry without
 * tsx's loader thread: what the entry sees, when it is bundled again, where its errors point,
 * that a dynamic import stays lazy, its usage errors, and which old builds it removes.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(root, 'scripts', 'launch.mjs');
const cacheDirectory = join(root, 'node_modules', '.cache', 'timebank-launch-4');

function launch(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  // Only PATH: tap's NODE_OPTIONS would load tsx into the child, which `pnpm start` does not.
  const result = spawnSync(process.execPath, [launcher, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function entryDirectory(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-launch-test-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** The manifest's build directory for `entry`, from the manifest the launcher wrote. */
function buildOf(entry: string): string {
  const manifests = readdirSync(cacheDirectory).filter(
    (name) => name.startsWith('entry-') && name.endsWith('.json'),
  );
  for (const name of manifests) {
    const manifest = JSON.parse(readFileSync(join(cacheDirectory, name), 'utf8')) as {
      build: string;
      inputs: Record<string, unknown>;
    };
    if (Object.keys(manifest.inputs).some((path) => path === entry)) return manifest.build;
  }
  throw new Error(`no manifest names ${entry}`);
}

t.test(
  'the entry sees its own path and arguments, and its own URL, and its exit code is the process’s',
  async (t) => {
    const directory = entryDirectory(t);
    const entry = join(directory, 'entry.ts');
    writeFileSync(
      entry,
      [
        'const seen: { argv: string[]; url: string } = { argv: process.argv.slice(1), url: import.meta.url };',
        'console.log(JSON.stringify(seen));',
        'process.exitCode = 7;',
      ].join('\n'),
    );
    const result = launch([entry, '--flag', 'value']);
    t.equal(result.status, 7, result.stderr);
    t.same(JSON.parse(result.stdout), { argv: [entry, '--flag', 'value'], url: pathToFileURL(entry).href });
  },
);

t.test('a changed source is bundled again; an unchanged one reuses its build', async (t) => {
  const directory = entryDirectory(t);
  const entry = join(directory, 'entry.ts');
  writeFileSync(join(directory, 'value.ts'), 'export const value: number = 1;\n');
  writeFileSync(entry, "import { value } from './value.js';\nconsole.log(value);\n");
  t.equal(launch([entry]).stdout.trim(), '1');
  const first = buildOf(entry);
  t.equal(launch([entry]).stdout.trim(), '1');
  t.equal(buildOf(entry), first, 'the same build');
  writeFileSync(join(directory, 'value.ts'), 'export const value: number = 22;\n');
  t.equal(launch([entry]).stdout.trim(), '22', 'the imported module’s change is seen');
  t.not(buildOf(entry), first, 'a new build');
});

t.test('a package of node_modules whose version changed (its old files gone) is bundled again', async (t) => {
  const directory = entryDirectory(t);
  // As pnpm lays it out: node_modules/<name> links to the version's own directory.
  const install = (version: number): void => {
    const packageDirectory = join(
      directory,
      'node_modules',
      '.pnpm',
      `dependency@${version}`,
      'node_modules',
      'dependency',
    );
    mkdirSync(packageDirectory, { recursive: true });
    writeFileSync(
      join(packageDirectory, 'package.json'),
      JSON.stringify({ name: 'dependency', type: 'module', main: 'index.js' }),
    );
    writeFileSync(join(packageDirectory, 'index.js'), `export const version = ${version};\n`);
    rmSync(join(directory, 'node_modules', 'dependency'), { force: true });
    symlinkSync(packageDirectory, join(directory, 'node_modules', 'dependency'));
  };
  install(1);
  const entry = join(directory, 'entry.ts');
  writeFileSync(entry, "import { version } from 'dependency';\nconsole.log(version);\n");
  t.equal(launch([entry]).stdout.trim(), '1');
  install(2);
  rmSync(join(directory, 'node_modules', '.pnpm', 'dependency@1'), { recursive: true });
  const result = launch([entry]);
  t.equal(result.stdout.trim(), '2', result.stderr);
});

t.test('an error’s stack trace points at the TypeScript source', async (t) => {
  const directory = entryDirectory(t);
  const entry = join(directory, 'entry.ts');
  writeFileSync(
    entry,
    [
      'interface Unused { a: number }',
      'function fail(): never {',
      "  throw new Error('boom');",
      '}',
      'fail();',
    ].join('\n'),
  );
  const result = launch([entry]);
  t.equal(result.status, 1);
  t.match(result.stderr, `${entry}:3:9`, 'line 3 of the source, not of the bundle');
});

t.test('a dynamically imported module is loaded only when imported', async (t) => {
  const directory = entryDirectory(t);
  const entry = join(directory, 'entry.ts');
  writeFileSync(
    join(directory, 'lazy.ts'),
    '(globalThis as Record<string, unknown>).lazyLoaded = true;\nexport const answer = 42;\n',
  );
  writeFileSync(
    entry,
    [
      'const before = (globalThis as Record<string, unknown>).lazyLoaded === true;',
      "const { answer } = await import('./lazy.js');",
      'console.log(JSON.stringify({ before, answer }));',
    ].join('\n'),
  );
  const result = launch([entry]);
  t.equal(result.status, 0, result.stderr);
  t.same(JSON.parse(result.stdout), { before: false, answer: 42 });
});

t.test('a source esbuild cannot read stops the launch in a few lines naming it, exit 1', async (t) => {
  const directory = entryDirectory(t);
  const entry = join(directory, 'entry.ts');
  writeFileSync(entry, 'const broken: number = ;\n');
  const result = launch([entry]);
  t.equal(result.status, 1);
  t.match(result.stderr, /^scripts\/launch\.mjs: cannot bundle .*entry\.ts:\n/);
  t.match(result.stderr, /entry\.ts:1:23: ERROR: Unexpected ";"/);
  t.notMatch(result.stderr, /esbuild\/lib\/main\.js/, 'no stack trace of esbuild’s');
});

t.test('usage errors: no entry, an entry that is not TypeScript, one that does not exist', async (t) => {
  for (const args of [[], ['services/ledger-api/package.json'], ['no/such/entry.ts']]) {
    const result = launch(args);
    t.equal(result.status, 2, args.join(' '));
    t.match(result.stderr, /usage: node scripts\/launch\.mjs/);
  }
});

t.test(
  'a build older than a day is removed unless a live process uses it; the current one stays',
  async (t) => {
    const directory = entryDirectory(t);
    const entry = join(directory, 'entry.ts');
    writeFileSync(entry, 'console.log("ran");\n');
    t.equal(launch([entry]).stdout.trim(), 'ran');
    const current = join(cacheDirectory, buildOf(entry));
    const dayAndMore = Date.now() / 1000 - 25 * 60 * 60;
    const unused = join(cacheDirectory, 'build-test-unused');
    const inUse = join(cacheDirectory, 'build-test-in-use');
    const recent = join(cacheDirectory, 'build-test-recent');
    t.teardown(() => {
      for (const path of [unused, inUse, recent]) rmSync(path, { recursive: true, force: true });
    });
    for (const path of [unused, inUse, recent]) mkdirSync(join(path, '.users'), { recursive: true });
    // A process that has exited (its marker left by a kill -9), and this test's own, which is alive.
    writeFileSync(join(unused, '.users', '2147483646'), '');
    writeFileSync(join(inUse, '.users', String(process.pid)), '');
    for (const path of [unused, inUse, current]) utimesSync(path, dayAndMore, dayAndMore);
    t.equal(launch([entry]).stdout.trim(), 'ran');
    t.notOk(existsSync(unused), 'an old build nobody uses is removed');
    t.ok(existsSync(inUse), 'an old build a live process uses stays');
    t.ok(existsSync(recent), 'a build younger than a day stays');
    t.ok(existsSync(current), 'the build just run stays');
  },
);
