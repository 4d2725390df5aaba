/**
 * A Bloom filter over string keys: "maybe added" or "certainly not added", in a fixed number of
 * bits. A bounded rebuild remembers in one the keys of the rows it wrote and dropped from memory,
 * so that a miss on any other key (a new record, a new hold) needs no database lookup. A false
 * positive only costs a lookup that finds nothing, and memory stays the same however many keys
 * are added: past its capacity the filter answers "maybe" more often, never wrongly "no".
 */

/** Bits per filter: 2^23 = 8 Mbit = 1 MiB, about 3% false positives at a million keys (k = 3). */
const BITS_LOG2 = 23;
const HASHES = 3;
const MASK = (1 << BITS_LOG2) - 1;

/** The two hashes of the last key hashed: module variables, so hashing allocates nothing. */
let hashFirst = 0;
let hashStep = 0;

/** 32-bit FNV-1a over UTF-16 code units, with a second multiplier for an independent probe step. */
function hash(key: string): void {
  let first = 0x811c9dc5;
  let second = 0x01000193 ^ key.length;
  for (let index = 0; index < key.length; index += 1) {
    const unit = key.charCodeAt(index);
    first = Math.imul(first ^ unit, 0x01000193);
    second = Math.imul(second ^ unit, 0x5bd1e995);
  }
  hashFirst = first >>> 0;
  // The step must be odd to reach every bit.
  hashStep = (second ^ (second >>> 15)) | 1;
}

export class KeyFilter {
  #bits: Uint32Array | undefined;
  #added = 0;

  /** Keys added so far (with repeats). */
  get added(): number {
    return this.#added;
  }

  add(key: string): void {
    const bits = (this.#bits ??= new Uint32Array((1 << BITS_LOG2) / 32));
    hash(key);
    for (let probe = 0; probe < HASHES; probe += 1) {
      const bit = (hashFirst + probe * hashStep) & MASK;
      bits[bit >>> 5] = (bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
    this.#added += 1;
  }

  /** False only when `key` was certainly never added. */
  mightContain(key: string): boolean {
    const bits = this.#bits;
    if (bits === undefined) return false;
    hash(key);
    for (let probe = 0; probe < HASHES; probe += 1) {
      const bit = (hashFirst + probe * hashStep) & MASK;
      if (((bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  clear(): void {
    this.#bits = undefined;
    this.#added = 0;
  }
}
