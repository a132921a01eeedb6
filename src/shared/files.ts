/** Reading files a user points us at: regular files only, with a size limit, never blocking. */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from './errors.ts';

export class FileReadError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'FileReadError';
  }
}

/**
 * The bytes of `path` (symbolic links followed), refused unless it is a regular file of at most
 * `maxBytes`. A FIFO, socket or device (`/dev/zero`, a named pipe) is refused without reading, so a
 * committed symlink cannot stall the command; the file is opened non-blocking and checked by its open
 * descriptor (no race between the check and the read), and never more than maxBytes + 1 bytes are read.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new FileReadError(`cannot read file: ${(err as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a named pipe (FIFO)' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : 'not a regular file';
      throw new FileReadError(`cannot read file: not a regular file (it is ${kind}); definitions must be regular files (replace the link or pipe with the file itself)`);
    }
    if (st.size > maxBytes) throw new FileReadError(`file is ${st.size} bytes; the limit is ${maxBytes} bytes`);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) throw new FileReadError(`file grew past the limit of ${maxBytes} bytes while being read`);
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
