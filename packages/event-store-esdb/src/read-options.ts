/**
 * Validation and defaults of the port's read options, shared by `readStream` and `readAll`.
 */
import { StoreLimitError } from '@timebank/event-store';
import type { ReadStreamOptions, StoreLimits } from '@timebank/event-store';

/** `maxCount` as the port defines it: default and ceiling `readBatchMax`; 0 reads nothing. */
export function resolveMaxCount(maxCount: number | undefined, limits: StoreLimits): number {
  if (maxCount === undefined) return limits.readBatchMax;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new StoreLimitError('INVALID_EVENT', `maxCount must be a non-negative integer, got ${maxCount}`);
  }
  return Math.min(maxCount, limits.readBatchMax);
}

export function assertValidPosition(position: bigint | undefined, name: string): void {
  if (position !== undefined && (typeof position !== 'bigint' || position < 0n)) {
    throw new StoreLimitError(
      'INVALID_EVENT',
      `${name} must be a non-negative bigint, got ${String(position)}`,
    );
  }
}

export interface StreamRead {
  readonly direction: 'forwards' | 'backwards';
  readonly fromRevision: bigint | 'start' | 'end';
  readonly maxCount: number;
}

/** Defaults: forwards from the start; backwards from the end. */
export function resolveStreamRead(options: ReadStreamOptions, limits: StoreLimits): StreamRead {
  const direction = options.direction ?? 'forwards';
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw new StoreLimitError(
      'INVALID_EVENT',
      `direction must be forwards or backwards, got ${String(direction)}`,
    );
  }
  const fromRevision = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
  if (fromRevision !== 'start' && fromRevision !== 'end') {
    if (typeof fromRevision !== 'bigint' || fromRevision < 0n) {
      throw new StoreLimitError('INVALID_EVENT', `fromRevision must be start, end or a non-negative bigint`);
    }
  }
  return { direction, fromRevision, maxCount: resolveMaxCount(options.maxCount, limits) };
}
