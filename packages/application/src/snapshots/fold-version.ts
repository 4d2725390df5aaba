/**
 * Which fold produced a snapshot. A snapshot is only as good as the code that folded it: after a
 * change to `evolve` (or to the state's shape, or to the encoding) an old snapshot may hold a state
 * the new code would never have produced, so it must be discarded and the stream folded again.
 */
import { createHash } from 'node:crypto';
import { encodeState } from './state-codec.js';

/**
 * Bump on any change to how folded state is encoded or sealed, and on a change to a fold's helper
 * functions that neither its top-level functions' source nor its initial state's shape reveals.
 */
export const SNAPSHOT_FORMAT_VERSION = 4;

/** The parts of a fold its version covers (`StreamFold`'s shape, without importing the handler). */
export interface VersionedFold {
  readonly initialState: () => unknown;
  readonly evolve: (...args: never[]) => unknown;
  readonly applyInPlace?: (...args: never[]) => void;
}

const versions = new WeakMap<object, string>();

/**
 * A fingerprint of the fold: SHA-256 over the format version, the source of its `evolve` and
 * `applyInPlace`, and the encoding of its initial state (so a field added to the state changes it
 * too). Computed once per fold object.
 */
export function foldVersionOf(fold: VersionedFold): string {
  const known = versions.get(fold);
  if (known !== undefined) return known;
  const version = createHash('sha256')
    .update(`snapshot-format:${SNAPSHOT_FORMAT_VERSION}\n`)
    .update(`evolve:${fold.evolve.toString()}\n`)
    .update(`apply-in-place:${fold.applyInPlace?.toString() ?? ''}\n`)
    .update(`initial-state:${encodeState(fold.initialState())}\n`)
    .digest('hex');
  versions.set(fold, version);
  return version;
}
