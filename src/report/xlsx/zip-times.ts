import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * An .xlsx is a zip, and the zip library stamps every entry with the current time, which is the only
 * thing that would make two runs on the same inputs differ. This rewrites those stamps in place — in the
 * central directory and in each local header — to the given day (UTC midnight), so the same inputs and
 * audit date give the same bytes. Only a few bytes per entry are read and written, whatever the size.
 */
export function stampZipEntries(path: string, day: Date): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const directory = centralDirectory(fd, size);
    const buf = Buffer.alloc(directory.size);
    readExactly(fd, buf, directory.offset);
    const time = 0; // 00:00:00
    const date = dosDate(day);
    let at = 0;
    for (let i = 0; i < directory.entries; i++) {
      if (buf.readUInt32LE(at) !== 0x02014b50)
        throw new Error(`${path}: zip central directory entry ${i} is malformed`);
      buf.writeUInt16LE(time, at + 12);
      buf.writeUInt16LE(date, at + 14);
      const nameLength = buf.readUInt16LE(at + 28);
      const extraLength = buf.readUInt16LE(at + 30);
      const commentLength = buf.readUInt16LE(at + 32);
      const localHeader = localHeaderOffset(buf, at, nameLength, extraLength);
      stampLocalHeader(fd, localHeader, time, date, path);
      at += 46 + nameLength + extraLength + commentLength;
    }
    writeSync(fd, buf, 0, buf.length, directory.offset);
  } finally {
    closeSync(fd);
  }
}

/** A zip (MS-DOS) date: years 1980–2107 only, so an earlier day becomes 1980-01-01. */
export function dosDate(day: Date): number {
  const year = day.getUTCFullYear();
  if (year < 1980) return (1 << 5) | 1;
  return ((Math.min(year, 2107) - 1980) << 9) | ((day.getUTCMonth() + 1) << 5) | day.getUTCDate();
}

interface Directory {
  entries: number;
  size: number;
  offset: number;
}

/** Finds the central directory from the end-of-central-directory record (zip64 when a field overflowed). */
function centralDirectory(fd: number, size: number): Directory {
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = Buffer.alloc(tailLength);
  readExactly(fd, tail, size - tailLength);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: no end of central directory');
  const entries = tail.readUInt16LE(eocd + 10);
  const dirSize = tail.readUInt32LE(eocd + 12);
  const offset = tail.readUInt32LE(eocd + 16);
  if (entries !== 0xffff && dirSize !== 0xffffffff && offset !== 0xffffffff) return { entries, size: dirSize, offset };
  // Zip64: the locator sits just before the classic record and points at the zip64 record.
  const locator = eocd - 20;
  if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50)
    throw new Error('zip64 end of central directory locator missing');
  const record = Buffer.alloc(56);
  readExactly(fd, record, Number(tail.readBigUInt64LE(locator + 8)));
  if (record.readUInt32LE(0) !== 0x06064b50) throw new Error('zip64 end of central directory record missing');
  return {
    entries: Number(record.readBigUInt64LE(32)),
    size: Number(record.readBigUInt64LE(40)),
    offset: Number(record.readBigUInt64LE(48)),
  };
}

/** The local header offset of a central directory entry, from its zip64 extra field when it overflowed. */
function localHeaderOffset(buf: Buffer, at: number, nameLength: number, extraLength: number): number {
  const offset = buf.readUInt32LE(at + 42);
  if (offset !== 0xffffffff) return offset;
  let extra = at + 46 + nameLength;
  const end = extra + extraLength;
  while (extra + 4 <= end) {
    const id = buf.readUInt16LE(extra);
    const length = buf.readUInt16LE(extra + 2);
    if (id === 0x0001) {
      // Fields appear only for values that overflowed, in this order: sizes first, then the offset.
      let field = extra + 4;
      if (buf.readUInt32LE(at + 24) === 0xffffffff) field += 8;
      if (buf.readUInt32LE(at + 20) === 0xffffffff) field += 8;
      return Number(buf.readBigUInt64LE(field));
    }
    extra += 4 + length;
  }
  throw new Error('zip64 local header offset missing');
}

function stampLocalHeader(fd: number, offset: number, time: number, date: number, path: string): void {
  const header = Buffer.alloc(14);
  readExactly(fd, header, offset);
  if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`${path}: zip local header at ${offset} is malformed`);
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  writeSync(fd, header, 10, 4, offset + 10);
}

function readExactly(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error('unexpected end of zip file');
    done += n;
  }
}
