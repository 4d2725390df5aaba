/**
 * A compact QR Code encoder (ISO/IEC 18004) for the spend code's payload
 * (`timebank-spend:<16 digits>`, 31 bytes): byte mode, error correction level M, versions 1–6
 * (up to 106 bytes), so no version-information blocks are needed. About 150 lines instead of a
 * dependency; it follows Project Nayuki's reference encoder (MIT), reduced to what the console
 * needs. The mask is chosen by the standard's penalty rules, as scanners expect.
 */

/** Error-correction codewords per block and number of blocks at level M, by version (index 0 unused). */
const ECC_PER_BLOCK = [0, 10, 16, 26, 18, 24, 16] as const;
const BLOCKS = [0, 1, 1, 1, 2, 2, 4] as const;
const VERSION_MAX = 6;
/** Level M's two format bits (L = 01, M = 00, Q = 11, H = 10). */
const FORMAT_LEVEL_M = 0;

function rawDataModules(version: number): number {
  let result = (16 * version + 128) * version + 64;
  // Versions 2–6 have one alignment pattern (two alignment coordinates).
  if (version >= 2) result -= (25 * 2 - 10) * 2 - 55;
  return result;
}

function dataCodewords(version: number): number {
  return Math.floor(rawDataModules(version) / 8) - (ECC_PER_BLOCK[version] ?? 0) * (BLOCKS[version] ?? 0);
}

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1. */
function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

function reedSolomonDivisor(degree: number): number[] {
  const result = new Array<number>(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j] ?? 0, root) ^ (j + 1 < degree ? (result[j + 1] ?? 0) : 0);
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
}

function reedSolomonRemainder(data: readonly number[], divisor: readonly number[]): number[] {
  const result = divisor.map(() => 0);
  for (const byte of data) {
    const factor = byte ^ (result.shift() ?? 0);
    result.push(0);
    divisor.forEach((coefficient, index) => {
      result[index] = (result[index] ?? 0) ^ gfMultiply(coefficient, factor);
    });
  }
  return result;
}

/** The data codewords, split into blocks, each followed by its error correction, interleaved. */
function codewords(bytes: Uint8Array, version: number): number[] {
  const capacity = dataCodewords(version);
  const bits: number[] = [];
  const push = (value: number, length: number): void => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(0b0100, 4);
  push(bytes.length, 8);
  for (const byte of bytes) push(byte, 8);
  push(0, Math.min(4, capacity * 8 - bits.length));
  push(0, (8 - (bits.length % 8)) % 8);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) data.push(pad);

  const blockCount = BLOCKS[version] ?? 1;
  const eccLength = ECC_PER_BLOCK[version] ?? 0;
  const rawCodewords = Math.floor(rawDataModules(version) / 8);
  const shortBlocks = blockCount - (rawCodewords % blockCount);
  const shortLength = Math.floor(rawCodewords / blockCount);
  const divisor = reedSolomonDivisor(eccLength);
  const blocks: number[][] = [];
  for (let i = 0, k = 0; i < blockCount; i++) {
    const block = data.slice(k, k + shortLength - eccLength + (i < shortBlocks ? 0 : 1));
    k += block.length;
    const ecc = reedSolomonRemainder(block, divisor);
    if (i < shortBlocks) block.push(0);
    blocks.push([...block, ...ecc]);
  }
  const result: number[] = [];
  for (let i = 0; i < (blocks[0]?.length ?? 0); i++) {
    blocks.forEach((block, j) => {
      if (i !== shortLength - eccLength || j >= shortBlocks) result.push(block[i] ?? 0);
    });
  }
  return result;
}

const MASKS: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

type SetModule = (x: number, y: number, dark: boolean) => void;

/** Timing lines, the three finder patterns and (from version 2) the one alignment pattern. */
function drawFunctionPatterns(set: SetModule, size: number, version: number): void {
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -4; dy <= 4; dy++)
      for (let dx = -4; dx <= 4; dx++) {
        const distance = Math.max(Math.abs(dx), Math.abs(dy));
        set(cx + dx, cy + dy, distance !== 2 && distance !== 4);
      }
  }
  if (version >= 2) {
    for (let dy = -2; dy <= 2; dy++)
      for (let dx = -2; dx <= 2; dx++)
        set(size - 7 + dx, size - 7 + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
  }
}

/** The codewords in the zig-zag of two-module columns, skipping the reserved modules. */
function placeData(
  modules: boolean[][],
  reserved: readonly (readonly boolean[])[],
  data: readonly number[],
): void {
  const size = modules.length;
  let index = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vertical = 0; vertical < size; vertical++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vertical : vertical;
        if (reserved[y]?.[x] === true || index >= data.length * 8) continue;
        (modules[y] as boolean[])[x] = (((data[index >>> 3] ?? 0) >>> (7 - (index & 7))) & 1) !== 0;
        index++;
      }
    }
  }
}

/** The modules (true = dark) of `text` as a QR code, rows top to bottom; throws when it does not fit. */
export function qrModules(text: string): boolean[][] {
  const bytes = new TextEncoder().encode(text);
  let version = 1;
  while (version <= VERSION_MAX && 12 + bytes.length * 8 > dataCodewords(version) * 8) version++;
  if (version > VERSION_MAX) throw new Error(`QR payload of ${bytes.length} bytes is too long`);
  const size = version * 4 + 17;
  const modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const reserved = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const set = (x: number, y: number, dark: boolean): void => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    (modules[y] as boolean[])[x] = dark;
    (reserved[y] as boolean[])[x] = true;
  };
  drawFunctionPatterns(set, size, version);
  const drawFormat = (mask: number): void => {
    const data = (FORMAT_LEVEL_M << 3) | mask;
    let remainder = data;
    for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
    const bits = ((data << 10) | remainder) ^ 0x5412;
    const bit = (i: number): boolean => ((bits >>> i) & 1) !== 0;
    for (let i = 0; i <= 5; i++) set(8, i, bit(i));
    set(8, 7, bit(6));
    set(8, 8, bit(7));
    set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) set(8, size - 15 + i, bit(i));
    set(8, size - 8, true);
  };
  drawFormat(0);

  placeData(modules, reserved, codewords(bytes, version));

  const masked = (mask: number): boolean[][] => {
    const predicate = MASKS[mask] ?? MASKS[0];
    return modules.map((row, y) =>
      row.map((dark, x) => (reserved[y]?.[x] !== true && predicate?.(x, y) === true ? !dark : dark)),
    );
  };
  let best: { penalty: number; mask: number } = { penalty: Infinity, mask: 0 };
  for (let mask = 0; mask < 8; mask++) {
    drawFormat(mask);
    const penalty = penaltyOf(masked(mask));
    if (penalty < best.penalty) best = { penalty, mask };
  }
  drawFormat(best.mask);
  return masked(best.mask);
}

/** The standard's penalty: runs of five or more, 2×2 blocks, finder-like patterns, dark balance. */
function penaltyOf(grid: readonly (readonly boolean[])[]): number {
  const size = grid.length;
  const at = (x: number, y: number, transpose: boolean): boolean =>
    (transpose ? grid[x]?.[y] : grid[y]?.[x]) === true;
  let penalty = 0;
  for (const transpose of [false, true]) {
    for (let y = 0; y < size; y++) {
      let run = 1;
      let line = '';
      for (let x = 0; x < size; x++) {
        line += at(x, y, transpose) ? '1' : '0';
        if (x > 0 && at(x, y, transpose) === at(x - 1, y, transpose)) {
          run++;
          if (run === 5) penalty += 3;
          else if (run > 5) penalty += 1;
        } else run = 1;
      }
      penalty += 40 * (line.match(/(?=10111010000|00001011101)/g)?.length ?? 0);
    }
  }
  let dark = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      if (at(x, y, false)) dark++;
      if (x + 1 < size && y + 1 < size) {
        const colour = at(x, y, false);
        if (
          at(x + 1, y, false) === colour &&
          at(x, y + 1, false) === colour &&
          at(x + 1, y + 1, false) === colour
        )
          penalty += 3;
      }
    }
  const total = size * size;
  penalty += Math.floor(Math.abs(dark * 20 - total * 10) / total) * 10;
  return penalty;
}

/** The code as an SVG element (a 4-module quiet zone around it), named for screen readers. */
export function qrSvg(text: string, label: string): SVGSVGElement {
  const grid = qrModules(text);
  const size = grid.length + 8;
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  const background = document.createElementNS(svgNs, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  const path = document.createElementNS(svgNs, 'path');
  let d = '';
  grid.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x + 4},${y + 4}h1v1h-1z`;
    }),
  );
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(background, path);
  return svg;
}
