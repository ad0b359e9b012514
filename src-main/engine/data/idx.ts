import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * IDX files (the MNIST format): a 4-byte magic 0x0000TTDD (TT = element type, DD = number of dims),
 * then DD big-endian uint32 sizes, then the elements. Only unsigned bytes (TT = 0x08) are read:
 * every image and label set in this format uses them.
 */
export const IDX_LABELS_MAGIC = 0x00000801;
export const IDX_IMAGES_MAGIC = 0x00000803;
/** [N, H, W, C] colour images: not in the original format, but some exporters write it. */
export const IDX_IMAGES_RGB_MAGIC = 0x00000804;

export interface IdxArray {
  /** Sizes from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  data: Uint8Array;
}

/** Largest element count we accept from a header: beyond this a header is corrupt, not big data. */
const MAX_ELEMENTS = 2 ** 31 - 1;

function idxError(file: string, problem: string): Error {
  return new Error(`${basename(file)}: ${problem} (${file})`);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses IDX bytes already in memory; `file` only names the source in error messages. */
export function parseIdx(raw: Uint8Array, file: string, expectedMagic?: number | number[]): IdxArray {
  let bytes = raw;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw idxError(file, `gzip data is corrupt (${(err as Error).message})`);
    }
  }
  if (bytes.length === 0) throw idxError(file, 'the file is empty');
  if (bytes.length < 4) throw idxError(file, `truncated: ${bytes.length} bytes, too short for the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const hex = (m: number) => '0x' + m.toString(16).padStart(8, '0');
  const expected = expectedMagic === undefined ? undefined : Array.isArray(expectedMagic) ? expectedMagic : [expectedMagic];
  if (expected && !expected.includes(magic)) {
    throw idxError(file, `wrong magic number ${hex(magic)}, expected ${expected.map(hex).join(' or ')} — not an IDX ${describeMagic(expected[0])} file`);
  }
  if (magic >>> 16 !== 0) throw idxError(file, `wrong magic number ${hex(magic)}: not an IDX file (the first two bytes must be zero)`);
  const type = (magic >>> 8) & 0xff;
  const rank = magic & 0xff;
  if (type !== 0x08) throw idxError(file, `element type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  if (rank === 0) throw idxError(file, `magic number ${hex(magic)} declares zero dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw idxError(file, `truncated: the header needs ${headerBytes} bytes for ${rank} dimensions, the file has ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expectedElements = dims.reduce((a, b) => a * b, 1);
  const dimText = dims.join('×');
  if (expectedElements > MAX_ELEMENTS) throw idxError(file, `header dimensions ${dimText} are absurd (${expectedElements} elements)`);
  const body = bytes.length - headerBytes;
  const what = rank === 1 ? 'labels' : 'pixels';
  if (body < expectedElements) {
    throw idxError(file, `truncated: header says ${dimText} = ${expectedElements} bytes of ${what}, the file has ${body}`);
  }
  if (body > expectedElements) {
    throw idxError(file, `header says ${dimText} = ${expectedElements} bytes of ${what}, but the file has ${body} (extra data: wrong header or wrong file)`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

function describeMagic(magic: number): string {
  if (magic === IDX_LABELS_MAGIC) return 'labels (idx1-ubyte)';
  if (magic === IDX_IMAGES_MAGIC) return 'images (idx3-ubyte)';
  if (magic === IDX_IMAGES_RGB_MAGIC) return 'images (idx4-ubyte)';
  return '';
}

/** Reads an IDX file (optionally gzip-compressed) and checks its magic number when one is expected. */
export function readIdx(file: string, expectedMagic?: number | number[]): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw idxError(file, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseIdx(raw, file, expectedMagic);
}

/** Images as [N, H, W] (magic 0x803) or [N, H, W, C] (0x804). */
export function readIdxImages(file: string): IdxArray {
  return readIdx(file, [IDX_IMAGES_MAGIC, IDX_IMAGES_RGB_MAGIC]);
}

/** Labels as [N]. */
export function readIdxLabels(file: string): IdxArray {
  return readIdx(file, IDX_LABELS_MAGIC);
}

/** Bytes 0..255 → float32 in [0, 1]. */
export function bytesToUnitFloat(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  const scale = 1 / 255;
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] * scale;
  return out;
}
