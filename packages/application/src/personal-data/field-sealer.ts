/**
 * Sealing one personal field: AES-256-GCM under the volunteer's data key, a fresh 96-bit IV per
 * field, and the event type and stream name as associated data, so that a sealed value copied
 * into another event or stream fails to open. The stored form is `sealed:v1:` and base64 of
 * IV (12 bytes), tag (16 bytes) and ciphertext of the value's JSON text.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { JsonValue } from '@timebank/event-store';

export const SEALED_PREFIX = 'sealed:v1:';
/** AES-256: 32-byte keys. */
export const DATA_KEY_BYTES = 32;
/** GCM's recommended IV length, in bytes. */
const IV_BYTES = 12;
/** GCM's full tag length, in bytes. */
const TAG_BYTES = 16;

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

export function sealBytes(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  if (key.length !== DATA_KEY_BYTES) throw new Error('a sealing key must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws when the key, the associated data or the bytes are not the ones sealed. */
export function openBytes(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

export function sealField(key: Buffer, value: JsonValue, associatedData: string): string {
  const sealed = sealBytes(key, Buffer.from(JSON.stringify(value), 'utf8'), associatedData);
  return SEALED_PREFIX + sealed.toString('base64');
}

export function openField(key: Buffer, sealed: string, associatedData: string): JsonValue {
  if (!isSealed(sealed)) throw new Error('not a sealed field');
  const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
  return JSON.parse(openBytes(key, bytes, associatedData).toString('utf8')) as JsonValue;
}

/** The associated data of a field: which event type on which stream it belongs to. */
export function fieldContext(eventType: string, streamName: string): string {
  return `${eventType}\n${streamName}`;
}
