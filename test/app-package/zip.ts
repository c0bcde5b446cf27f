/**
 * Reads a zip archive through its central directory (PKWARE APPNOTE 6.3), the
 * way an unzip tool does: find the end record, walk the directory, then read
 * each entry's local header and data, inflate it and check its CRC and size.
 */
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipFile {
  name: string;
  method: number;
  data: Buffer;
}

export function readZip(zip: Buffer): ZipFile[] {
  // The end record is 22 bytes plus a comment of up to 65535; search backwards for its signature.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  const start = zip.readUInt32LE(end + 16);
  if (start + size !== end) throw new Error('central directory does not end where the end record starts');

  const files: ZipFile[] = [];
  let at = start;
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${n}`);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const uncompressed = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    if (flags & 1) throw new Error(`${name} is encrypted`);
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const localName = zip.toString('utf8', localOffset + 30, localOffset + 30 + zip.readUInt16LE(localOffset + 26));
    if (localName !== name) throw new Error(`local header names ${localName}, directory names ${name}`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const body = zip.subarray(dataStart, dataStart + compressed);
    const data = method === 0 ? Buffer.from(body) : method === 8 ? inflateRawSync(body) : undefined;
    if (!data) throw new Error(`${name} uses compression method ${method}`);
    if (data.length !== uncompressed) throw new Error(`${name} is ${data.length} bytes, directory says ${uncompressed}`);
    if (crc32(data) !== crc) throw new Error(`${name} fails its CRC`);
    files.push({ name, method, data });
  }
  if (at !== end) throw new Error('central directory has bytes after its last entry');
  return files;
}
