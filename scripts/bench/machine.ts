/**
 * A description of the machine, printed beside every report: figures mean little without it.
 */
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export interface Machine {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly sqlite: string;
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
  };
}
