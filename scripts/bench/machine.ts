/**
 * A description of the machine, printed beside every report: figures mean little without it.
 */
import { execFileSync } from 'node:child_process';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export interface Machine {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly sqlite: string;
  /** Where the benchmark databases live (the temp dir): device, file system and size. */
  readonly disk: string;
}

/** The temp dir's device and file system, from `df`; the figures are only as fast as its fsync. */
function describeDisk(): string {
  const directory = tmpdir();
  try {
    const lines = execFileSync('df', ['-PT', directory], { encoding: 'utf8' }).trim().split('\n');
    const [device, type, blocks] = (lines.at(-1) ?? '').split(/\s+/);
    const gib = Math.round(Number(blocks) / 1024 ** 2);
    const name = device?.split('/').at(-1) ?? '';
    let rotational = '';
    try {
      const flag = execFileSync('cat', [`/sys/block/${name}/queue/rotational`], { encoding: 'utf8' }).trim();
      rotational = flag === '1' ? ', reported as rotational (virtual disk)' : ', reported as solid-state';
    } catch {
      // Not every device has a queue entry (partitions, overlays); the rest still describes it.
    }
    return `${directory} on ${device} (${type}, ${gib} GiB${rotational})`;
  } catch {
    return `${directory} (df unavailable)`;
  }
}

export function describeMachine(): Machine {
  const processors = cpus();
  const memory = new Database(':memory:');
  const sqlite = String(memory.prepare('SELECT sqlite_version()').pluck().get());
  memory.close();
  const gib = (bytes: number): number => Math.round((bytes / 1024 ** 3) * 10) / 10;
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cpuCount: processors.length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
    disk: describeDisk(),
  };
}
