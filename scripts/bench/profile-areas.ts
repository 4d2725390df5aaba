/**
 * Reading V8 sampling profiles (`--cpu-prof` .cpuprofile files, one per thread) for the profile
 * harness: the samples taken inside a time window, each charged to one area of the ledger (store,
 * projector, HTTP, …) by the nearest frame of its stack that belongs to one.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** The .cpuprofile format (Chrome DevTools protocol `Profiler.Profile`); times in µs. */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Areas in the order the report lists them. A sample is charged to the first area found walking
 * from its leaf frame towards the root, so that native code (SQLite, JSON, hashing) counts for
 * the code that called it: a better-sqlite3 `run` under the appender is "store", a JSON.stringify
 * under the canonical encoder is "encoding".
 */
export const AREAS = [
  'store',
  'projector',
  'http',
  'idempotency',
  'handler',
  'encoding',
  'zod',
  'crypto',
  'domain',
  'logging',
  'GC',
  'other JS and node internals',
  'idle',
] as const;
export type Area = (typeof AREAS)[number];

/** [area, test on the frame's script URL] in the order they are tried on one frame. */
const URL_AREAS: readonly [Area, RegExp][] = [
  ['crypto', /node:internal\/crypto|\/event-ids\.ts|\/hash-chain\.ts/],
  ['encoding', /canonical-json|\/event-store\/src\/limits\.ts|\/event-store\/src\/encod/],
  ['zod', /\/zod\/|fastify-type-provider-zod|zod-to-json-schema/],
  ['idempotency', /ledger-api\/src\/http\/idempotency/],
  ['projector', /packages\/projections\//],
  ['store', /event-store-sqlite\/|event-store-postgres\/|better-sqlite3|\/packages\/event-store\/src\//],
  ['domain', /packages\/domain\//],
  ['handler', /packages\/application\//],
  ['logging', /\/pino|thread-stream|sonic-boom/],
  [
    'http',
    /\/fastify\/|@fastify\/|find-my-way|light-my-request|avvio|fast-json-stringify|secure-json-parse|node:_http|node:http|node:net|node:internal\/http|node:internal\/stream|ledger-api\/src\//,
  ],
];

function areaOfFrame(frame: CallFrame): Area | undefined {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(idle)') return 'idle';
  if (frame.url === '') return undefined;
  for (const [area, pattern] of URL_AREAS) if (pattern.test(frame.url)) return area;
  return undefined;
}

export interface ThreadSamples {
  /** The profile file's name (`CPU.<date>.<pid>.<thread>.<seq>.cpuprofile`). */
  readonly file: string;
  /** Microseconds of samples inside the window, by area. */
  readonly microsecondsByArea: Map<Area, number>;
  /** Microseconds of samples inside the window by leaf frame (`function file:line`): self time. */
  readonly microsecondsByFunction: Map<string, number>;
  /** Microseconds of all samples inside the window (idle included). */
  readonly windowMicroseconds: number;
}

/** `function path:line`, the path from node_modules or the repository root. */
function frameLabel(frame: CallFrame & { lineNumber?: number }): string {
  const path = frame.url
    .replace(/^.*node_modules\//, '')
    .replace(/^file:\/\/.*?\/(packages|services|scripts)\//, '$1/');
  const line = frame.lineNumber === undefined || frame.lineNumber < 0 ? '' : `:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'} ${path}${line}`.trim();
}

/**
 * The samples of one profile inside `[fromMicroseconds, toMicroseconds]` of the monotonic clock
 * (V8's profile times and `process.hrtime` both read CLOCK_MONOTONIC on Linux, so the harness's
 * own clock marks the window), each sample weighted by the time until the next one.
 */
export function samplesInWindow(
  path: string,
  fromMicroseconds: number,
  toMicroseconds: number,
): ThreadSamples {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const parents = new Map<number, ProfileNode>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parents.set(child, node);
  }
  const areaCache = new Map<number, Area>();
  const areaOfNode = (id: number): Area => {
    const cached = areaCache.get(id);
    if (cached !== undefined) return cached;
    let area: Area = 'other JS and node internals';
    for (let node = byId.get(id); node !== undefined; node = parents.get(node.id)) {
      const found = areaOfFrame(node.callFrame);
      if (found !== undefined) {
        area = found;
        break;
      }
    }
    areaCache.set(id, area);
    return area;
  };
  const microsecondsByArea = new Map<Area, number>();
  const microsecondsByFunction = new Map<string, number>();
  let windowMicroseconds = 0;
  let time = profile.startTime;
  for (let index = 0; index < profile.samples.length; index += 1) {
    time += profile.timeDeltas[index] ?? 0;
    const next = time + (profile.timeDeltas[index + 1] ?? 0);
    if (time < fromMicroseconds || time > toMicroseconds) continue;
    const weight = next - time;
    const id = profile.samples[index]!;
    const area = areaOfNode(id);
    microsecondsByArea.set(area, (microsecondsByArea.get(area) ?? 0) + weight);
    const label = frameLabel(byId.get(id)?.callFrame ?? { functionName: '?', url: '' });
    microsecondsByFunction.set(label, (microsecondsByFunction.get(label) ?? 0) + weight);
    windowMicroseconds += weight;
  }
  return {
    file: path.split('/').at(-1) ?? path,
    microsecondsByArea,
    microsecondsByFunction,
    windowMicroseconds,
  };
}
