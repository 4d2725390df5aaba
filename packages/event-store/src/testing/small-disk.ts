/**
 * A real file system that fills up, for the disk-full tests of the engines and the API: a tmpfs
 * of a given size mounted at a directory (root only), and a filler file written until ENOSPC.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounts a tmpfs of `size` (mount's syntax: `48m`) at `path`; the reason it could not, or undefined. */
export function mountTmpfs(path: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const said = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `mounting a tmpfs needs root (${said === undefined || said === '' ? String(error) : said})`;
  }
}

/** Writes zeros into `path` until the file system refuses with ENOSPC, down to its last page. */
export function fillDisk(path: string): void {
  const descriptor = openSync(path, 'w');
  try {
    for (const size of [1024 * 1024, 4096]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(descriptor, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(descriptor);
  }
}

export interface SmallDisk {
  /** A fresh temp directory; the tmpfs is mounted at `small` inside it. */
  readonly directory: string;
  readonly small: string;
  /** Why the tmpfs could not be mounted (not root), for tap's `skip`; false when it is mounted. */
  readonly skip: string | false;
  /** Unmounts the tmpfs and removes the directory. */
  cleanup(): void;
}

/** A temp directory (`prefix`…) with a tmpfs of `size` mounted at its `small` subdirectory. */
export function smallDisk(prefix: string, size: string): SmallDisk {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  const small = join(directory, 'small');
  mkdirSync(small);
  const notMounted = mountTmpfs(small, size);
  return {
    directory,
    small,
    skip: notMounted ?? false,
    cleanup() {
      if (notMounted === undefined) execFileSync('umount', [small]);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
