/**
 * No folder-level import cycle inside any service: a reader should know from a file's folder what
 * it may import (STYLE.md), which only holds while folders form a hierarchy. Every relative import
 * of every .ts file under services/<name>/src counts, type-only ones included, since they couple
 * the folders just the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const SERVICES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `from './x.js'`, `import('./x.js')` and bare `import './x.js'`, relative ones only. */
const RELATIVE_IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Folder → folders its files import from (relative to `source`; `.` is the root). */
function folderGraph(source: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of typeScriptFiles(source)) {
    const from = relative(source, dirname(file)) || '.';
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = resolve(dirname(file), match[1] ?? '');
      const to = relative(source, dirname(target)) || '.';
      // An import that leaves src (a test helper, a package) is not this graph's concern.
      if (to.startsWith('..')) continue;
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** One cycle as a path `a -> b -> a`, or null when the graph has none. */
function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | null {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): string[] | null => {
    const at = onPath.indexOf(node);
    if (at >= 0) return [...onPath.slice(at), node];
    if (done.has(node)) return null;
    onPath.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== null) return cycle;
    }
    onPath.pop();
    done.add(node);
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle !== null) return cycle;
  }
  return null;
}

t.test('the cycle finder finds a cycle and accepts a hierarchy', async (t) => {
  const graph = (edges: Record<string, string[]>) =>
    new Map(Object.entries(edges).map(([node, targets]) => [node, new Set(targets)]));
  t.same(findCycle(graph({ '.': ['http', 'auth'], auth: ['http'], http: [] })), null);
  t.same(findCycle(graph({ '.': ['http'], auth: ['http'], http: ['auth'] })), ['http', 'auth', 'http']);
  t.same(findCycle(graph({ '.': ['http'], http: ['.'] })), ['.', 'http', '.']);
});

for (const service of readdirSync(SERVICES, { withFileTypes: true })) {
  if (!service.isDirectory()) continue;
  const source = join(SERVICES, service.name, 'src');
  let graph: Map<string, Set<string>>;
  try {
    graph = folderGraph(source);
  } catch {
    continue; // no src folder
  }
  t.test(`services/${service.name}/src has no folder-level import cycle`, async (t) => {
    const cycle = findCycle(graph);
    t.equal(cycle === null ? 'none' : cycle.join(' -> '), 'none', 'folders import each other');
  });
}
