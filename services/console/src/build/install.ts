import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { buildConsole, DEFAULT_OUT_DIRECTORY } from './build.js';

/**
 * Builds into a directory of its own beside `outDirectory`, then moves it into place. Processes
 * starting together (tests run two at a time) each build their own copy rather than read one
 * another's half-written files; the last to move wins, and every copy is the same build.
 */
export async function buildAndInstall(outDirectory: string = DEFAULT_OUT_DIRECTORY): Promise<string> {
  const staging = `${outDirectory}.staging-${process.pid}-${randomBytes(4).toString('hex')}`;
  await buildConsole(staging);
  try {
    await rm(outDirectory, { recursive: true, force: true });
    await rename(staging, outDirectory);
    return outDirectory;
  } catch {
    // Another process installed its copy in between (or the directory is read-only): serve ours.
    return staging;
  }
}
