/**
 * Snapshots under crypto-shredding: a snapshot of folded state holds personal data in plaintext
 * (the ledger folds opened events), so with personal-data keys a volunteer stream's snapshot is
 * sealed under that volunteer's data key. Erasure destroys the key, and with it every copy of the
 * snapshot (a backup's included); the ledger also deletes the row. Streams that hold several
 * people's data (the hierarchy's coordinators, the pool's beneficiaries, a project's leader) get
 * no snapshots at all; the remaining families never carry personal fields.
 */
import {
  DONATION_POOL_STREAM,
  HIERARCHY_STREAM,
  PROJECT_STREAM_PREFIX,
  VOLUNTEER_STREAM_PREFIX,
} from '@timebank/domain';
import { openBytes, sealBytes } from '../personal-data/field-sealer.js';
import type { PersonalKeys } from '../personal-data/personal-keys.js';
import type { SnapshotSealer } from './snapshot-keeper.js';

function holdsSeveralPeople(streamName: string): boolean {
  return (
    streamName === HIERARCHY_STREAM ||
    streamName === DONATION_POOL_STREAM ||
    streamName.startsWith(PROJECT_STREAM_PREFIX)
  );
}

/** The volunteer whose data key seals the stream's snapshot, or null for a stream without personal data. */
function subjectOf(streamName: string): string | null {
  return streamName.startsWith(VOLUNTEER_STREAM_PREFIX)
    ? streamName.slice(VOLUNTEER_STREAM_PREFIX.length)
    : null;
}

export function sealedSnapshots(keys: PersonalKeys): SnapshotSealer {
  return {
    accepts: (streamName) => !holdsSeveralPeople(streamName),
    async seal(streamName, plaintext, associatedData) {
      const subject = subjectOf(streamName);
      if (subject === null) return plaintext;
      // An erased volunteer's state is never written again, even with its placeholders.
      const key = await keys.forSealing(subject).catch(() => null);
      return key === null ? null : sealBytes(key, plaintext, associatedData);
    },
    async open(streamName, sealed, associatedData) {
      const subject = subjectOf(streamName);
      if (subject === null) return sealed;
      const key = await keys.forOpening(subject);
      return key === null ? null : openBytes(key, sealed, associatedData);
    },
  };
}
