import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/**
 * One entry of a zip file (an .xlsx) as text, read through the central directory: stored or deflated,
 * as exceljs writes them. Saves the tests needing the `unzip` program.
 */
export function zipEntry(path: string, name: string): string {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${path}: not a zip file`);
  let at = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < buf.readUInt16LE(eocd + 10); i++) {
    const nameLength = buf.readUInt16LE(at + 28);
    if (buf.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const method = buf.readUInt16LE(at + 10);
      const size = buf.readUInt32LE(at + 20);
      const local = buf.readUInt32LE(at + 42);
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      if (method === 0) return data.toString('utf8');
      if (method === 8) return inflateRawSync(data).toString('utf8');
      throw new Error(`${path}: ${name} uses compression method ${method}`);
    }
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  throw new Error(`${path}: no entry ${name}`);
}
