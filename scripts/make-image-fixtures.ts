/**
 * Writes the small image and IDX fixtures under test/fixtures/images and test/fixtures/bad.
 * Deterministic: running it again gives the same files. Run: npx tsx scripts/make-image-fixtures.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

const root = join(import.meta.dirname, '..', 'test', 'fixtures');

type Painter = (x: number, y: number, w: number, h: number) => [number, number, number, number];

function rgba(w: number, h: number, paint: Painter): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set(paint(x, y, w, h).map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * w + x) * 4);
  return data;
}

/** colorType: 0 gray, 2 RGB, 6 RGBA. */
function png(w: number, h: number, paint: Painter, colorType: 0 | 2 | 6 = 0): Buffer {
  return PNG.sync.write({ width: w, height: h, data: rgba(w, h, paint) } as PNG, { colorType, inputColorType: 6 });
}

function jpg(w: number, h: number, paint: Painter): Buffer {
  return Buffer.from(jpeg.encode({ width: w, height: h, data: rgba(w, h, paint) }, 90).data);
}

const gray = (v: number): [number, number, number, number] => [v, v, v, 255];
const disc: Painter = (x, y, w, h) => gray(Math.hypot(x + 0.5 - w / 2, y + 0.5 - h / 2) < Math.min(w, h) / 3 ? 230 : 20);
const frame: Painter = (x, y, w, h) => gray(x < w / 5 || x >= w - w / 5 || y < h / 5 || y >= h - h / 5 ? 220 : 30);
const stripes: Painter = (x) => gray(Math.floor(x / 2) % 2 ? 240 : 10);

function write(path: string, bytes: Uint8Array | string): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

function idx(magic: number, dims: number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

rmSync(join(root, 'images'), { recursive: true, force: true });
// A tiny class-folder set: 3 classes × 4 images, PNG and JPEG, mixed sizes, all gray content.
const sizes: [number, number][] = [
  [12, 12],
  [16, 10],
  [20, 20],
  [9, 14],
];
for (const [name, paint] of [
  ['disc', disc],
  ['frame', frame],
  ['stripes', stripes],
] as const) {
  sizes.forEach(([w, h], i) => write(`images/${name}/${name}-${i}.${i % 2 ? 'jpg' : 'png'}`, i % 2 ? jpg(w, h, paint) : png(w, h, paint)));
}

const bad = (path: string) => `bad/${path}`;
for (const dir of ['mixed-modes', 'one-class', 'not-an-image']) rmSync(join(root, 'bad', dir), { recursive: true, force: true });

// A PNG whose header is valid and whose image data is garbage: only decoding finds the problem.
const good = png(8, 8, disc);
const corrupt = Buffer.from(good);
const idatAt = corrupt.indexOf('IDAT');
for (let i = idatAt + 4; i < idatAt + 20; i++) corrupt[i] = 0xa5;
write(bad('corrupt.png'), corrupt);

// A valid PNG header claiming 20000×20000 (gray, 8 bit) followed by a tiny body.
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(20000, 0);
ihdr.writeUInt32BE(20000, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 0; // gray
const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
write(bad('huge-header.png'), Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]));

// IDX: a header for 100 images of 28×28 with only 1024 bytes of pixels, and a wrong magic number.
write(bad('truncated-images-idx3-ubyte'), idx(0x803, [100, 28, 28], new Uint8Array(1024).fill(7)));
write(bad('wrong-magic-idx3-ubyte'), idx(0x802, [2, 4, 4], new Uint8Array(32)));

// Gray, RGB and RGBA PNGs and a JPEG of different sizes: all must load once resized.
const colour: Painter = (x, y, w, h) => [(255 * x) / w, (255 * y) / h, 128, 255];
const translucent: Painter = (x, y, w, h) => [200, 40, 90, (255 * (x + y)) / (w + h)];
write(bad('mixed-modes/a/gray.png'), png(10, 7, disc, 0));
write(bad('mixed-modes/a/rgb.png'), png(15, 15, colour, 2));
write(bad('mixed-modes/b/rgba.png'), png(6, 11, translucent, 6));
write(bad('mixed-modes/b/photo.jpg'), jpg(24, 18, colour));

// A folder with a single class.
write(bad('one-class/only/one.png'), png(8, 8, disc));
write(bad('one-class/only/two.png'), png(8, 8, frame));

// A class folder holding a text file and a text file named .png, next to a good class.
write(bad('not-an-image/cats/notes.txt'), 'these are my cats\n');
write(bad('not-an-image/cats/fake.png'), 'hello, I am text, not a PNG\n');
write(bad('not-an-image/cats/real.png'), png(8, 8, disc));
write(bad('not-an-image/dogs/real.png'), png(8, 8, frame));
console.log('fixtures written under', root);
