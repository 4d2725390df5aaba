/**
 * Searching raw bytes for personal data, shared by the personal-data acceptance tests: every file
 * under a directory, and which secrets a blob of bytes contains.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `directory`, recursively. */
export function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every one of `secrets` found in `bytes`, as `<where>: <secret>`. */
export function secretsIn(secrets: readonly string[], where: string, bytes: Buffer): string[] {
  return secrets
    .filter((secret) => bytes.includes(Buffer.from(secret, 'utf8')))
    .map((secret) => `${where}: ${secret}`);
}
