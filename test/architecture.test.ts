/**
 * The import rules of docs/architecture.md, checked over the sources: libraries under packages/
 * reach engines only through the event-store port, and no service's folders import each other
 * in a circle (a folder is a layer a reader can understand without the ones above it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { cycles, folderGraph, importsOf, typescriptFiles } from './import-graph.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADAPTER_PACKAGES = [
  '@timebank/event-store-sqlite',
  '@timebank/event-store-postgres',
  '@timebank/event-store-esdb',
];

const folders = (parent: string): string[] =>
  readdirSync(join(root, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'src')))
    .map((entry) => entry.name);

t.test('no package under packages/ imports an adapter package outside its tests', async (t) => {
  const packages = folders('packages');
  t.ok(packages.length > 0, 'packages were found');
  const offences: string[] = [];
  for (const name of packages) {
    const own = `@timebank/${name}`;
    for (const file of typescriptFiles(join(root, 'packages', name, 'src'))) {
      for (const specifier of importsOf(file)) {
        const adapter = ADAPTER_PACKAGES.find(
          (candidate) =>
            candidate !== own && (specifier === candidate || specifier.startsWith(`${candidate}/`)),
        );
        if (adapter !== undefined) offences.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
  }
  t.same(offences, [], 'adapters are wired by services (the ledger opener), not by libraries');
});

t.test('no package under packages/ lists an adapter package outside its devDependencies', async (t) => {
  const offences: string[] = [];
  for (const name of folders('packages')) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const listed = Object.keys(manifest.dependencies ?? {});
    for (const adapter of ADAPTER_PACKAGES) {
      if (adapter !== `@timebank/${name}` && listed.includes(adapter))
        offences.push(`${name} depends on ${adapter}`);
    }
  }
  t.same(offences, [], 'a library that needs an adapter for its tests lists it as a devDependency');
});

t.test('no folder-level import cycle inside a service’s src', async (t) => {
  const services = folders('services');
  t.ok(services.length > 0, 'services were found');
  for (const name of services) {
    const found = cycles(folderGraph(join(root, 'services', name, 'src'))).map((cycle) => cycle.join(' -> '));
    t.same(found, [], `services/${name}/src has no folder cycle`);
  }
});

t.test('the checkers see a cycle and an adapter import where there is one', async (t) => {
  const graph = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a'])],
    ['d', new Set(['a'])],
  ]);
  t.same(cycles(graph), [['a', 'b', 'c']]);
  t.same(cycles(new Map([['a', new Set(['b'])]])), []);
  // The opener is a service and may import adapters; its imports show the scanner reads them.
  t.ok(
    importsOf(join(root, 'services/ledger-opener/src/open-event-store.ts')).includes(
      '@timebank/event-store-sqlite',
    ),
  );
});
