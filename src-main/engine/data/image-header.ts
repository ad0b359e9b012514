/**
 * Image headers read from the first bytes of a file, without decoding pixels: enough to reject
 * absurd sizes and files that are not images before a decoder allocates anything.
 */
export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Channels as stored: 1 gray, 2 gray+alpha, 3 RGB (palettes count as 3), 4 RGBA. */
  channels: number;
  /** True when the file format itself says the image is gray (PNG types 0/4, one-component JPEG). */
  grayByFormat: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Enough for a PNG header and for the usual JPEG with EXIF before its frame header. */
export const HEADER_PROBE_BYTES = 64 * 1024;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Thrown for a file whose header is missing or broken; the message is the problem only. */
export class HeaderProblem extends Error {}

function pngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 33) throw new HeaderProblem(`corrupt PNG: the file ends inside the header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') throw new HeaderProblem(`corrupt PNG: the first chunk is "${type}", not IHDR`);
  const width = view.getUint32(16, false);
  const height = view.getUint32(20, false);
  const colorType = bytes[25];
  const channelsByType: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
  const channels = channelsByType[colorType];
  if (channels === undefined) throw new HeaderProblem(`corrupt PNG: unknown colour type ${colorType}`);
  return { format: 'png', width, height, channels, grayByFormat: colorType === 0 || colorType === 4 };
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegHeader(bytes: Uint8Array, wholeFile: boolean): ImageHeader | 'need-more' {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new HeaderProblem(`corrupt JPEG: expected a marker at byte ${at}`);
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan before any frame
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (isStartOfFrame(marker)) {
      if (at + 10 > bytes.length) break;
      const height = (bytes[at + 5] << 8) | bytes[at + 6];
      const width = (bytes[at + 7] << 8) | bytes[at + 8];
      const channels = bytes[at + 9];
      return { format: 'jpeg', width, height, channels, grayByFormat: channels === 1 };
    }
    if (length < 2) throw new HeaderProblem(`corrupt JPEG: segment length ${length} at byte ${at}`);
    at += 2 + length;
  }
  if (!wholeFile && at >= bytes.length) return 'need-more';
  throw new HeaderProblem('corrupt JPEG: no frame header (size) found');
}

/**
 * Reads the header from the first bytes of a file. Returns 'need-more' when a JPEG's frame header lies
 * beyond the bytes given (call again with the whole file); throws HeaderProblem for anything else wrong.
 */
export function readImageHeader(bytes: Uint8Array, wholeFile: boolean): ImageHeader | 'need-more' {
  if (bytes.length === 0) throw new HeaderProblem('empty file (0 bytes)');
  if (isPng(bytes)) return pngHeader(bytes);
  if (isJpeg(bytes)) return jpegHeader(bytes, wholeFile);
  const start = Buffer.from(bytes.subarray(0, 12)).toString('latin1');
  const printable = /^[\x20-\x7e\t\r\n]*$/.test(start);
  throw new HeaderProblem(`not an image: neither PNG nor JPEG (${printable ? `it starts with text "${start.replace(/\s+/g, ' ').trim()}"` : 'unknown signature'})`);
}
