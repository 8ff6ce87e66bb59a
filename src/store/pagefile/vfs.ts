import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, lstatSync, openSync, readSync, unlinkSync, writeSync, accessSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { sqlJsMemory, sqlJsTable } from '../sqljs';
import type { WasmMemory, WasmTable } from '../sqljs';
import { fsyncDir } from '../durable-file';
import { MarkerLock } from './file-locks';
import * as abi from './sqlite-abi';
import type { LockLevel } from './sqlite-abi';
import { addFunctionsToTable } from './wasm-functions';
import type { TableFn } from './wasm-functions';

// Page-level I/O on a real file for sql.js. sql.js runs SQLite's unix VFS on Emscripten's
// in-memory file system and exports neither that file system nor sqlite3_vfs_register. It does
// export addFunction, and every connection's first field is its sqlite3_vfs pointer (struct
// sqlite3 starts with pVfs). So this takes the default VFS ("unix") from a connection and
// replaces its xOpen, xDelete, xAccess and xFullPathname with functions that handle names under
// PREFIX themselves, with node:fs positional reads and writes on the real file, and pass every
// other name (sql.js's own MEMFS databases, temp files) to SQLite's original functions. What is
// relied on is SQLite's public C ABI (sqlite-abi.ts), not the minified Emscripten glue.

/** Names under this prefix are real files: `${PREFIX}${mode}:${absolute path}` (mode r or w). */
const PREFIX = '/logbook-pagefile:';
const MAX_PATHNAME = 512;

/** What the VFS has done since it was installed (tests and benches read it). */
export interface PageFileCounters {
  reads: number;
  bytesRead: number;
  writes: number;
  bytesWritten: number;
  fsyncs: number;
}

interface OpenFile {
  readonly fd: number;
  readonly path: string;
  readonly readonly: boolean;
  readonly deleteOnClose: boolean;
  /** A journal just created: its folder is fsynced at its first sync, so the file's name is durable too. */
  syncFolder: boolean;
  readonly lock: MarkerLock | undefined;
}

type Fn = TableFn;

interface VfsModule {
  _malloc(size: number): number;
  UTF8ToString(pointer: number): string;
}

let installed: PageFileVfs | undefined;

/** Installs the page-file VFS into sql.js's default VFS (once per process); `handle` is any open connection. */
export function installPageFileVfs(sqlJs: SqlJsStatic, handle: number): PageFileVfs {
  installed ??= new PageFileVfs(sqlJs as unknown as VfsModule, handle);
  return installed;
}

/** The name a connection opens to reach `path` through the page-file VFS. */
export function pageFileName(path: string, readonly: boolean): string {
  return `${PREFIX}${readonly ? 'r' : 'w'}:${path}`;
}

export class PageFileVfs {
  readonly counters: PageFileCounters = { reads: 0, bytesRead: 0, writes: 0, bytesWritten: 0, fsyncs: 0 };
  private readonly files = new Map<number, OpenFile>();
  private nextId = 1;
  private readonly memory: WasmMemory;
  private readonly ioMethods: number;
  private readonly original: { xOpen: Fn; xDelete: Fn; xAccess: Fn; xFullPathname: Fn };
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly module: VfsModule, handle: number) {
    const memory = sqlJsMemory();
    const table = sqlJsTable();
    if (memory === undefined || table === undefined) {
      throw new Error('this sql.js does not expose what page-file I/O needs (WASM memory, function table)');
    }
    this.memory = memory;
    const vfs = this.view().getInt32(handle, true);
    const name = module.UTF8ToString(this.view().getInt32(vfs + abi.VFS.zName, true));
    if (name !== 'unix' || this.view().getInt32(vfs + abi.VFS.szOsFile, true) < 8) {
      throw new Error(`sql.js's default SQLite VFS is "${name}", not the unix VFS page-file I/O replaces`);
    }
    this.original = {
      xOpen: original(table, this.view().getInt32(vfs + abi.VFS.xOpen, true)),
      xDelete: original(table, this.view().getInt32(vfs + abi.VFS.xDelete, true)),
      xAccess: original(table, this.view().getInt32(vfs + abi.VFS.xAccess, true)),
      xFullPathname: original(table, this.view().getInt32(vfs + abi.VFS.xFullPathname, true)),
    };
    this.ioMethods = module._malloc(abi.IO_METHODS_BYTES);
    const entries: [number, Fn, string][] = [
      ...this.ioMethodEntries().map(([offset, fn, signature]): [number, Fn, string] => [this.ioMethods + offset, fn, signature]),
      [vfs + abi.VFS.xOpen, (...a) => this.xOpen(...(a as [number, number, number, number, number])), 'iiiiii'],
      [vfs + abi.VFS.xDelete, (...a) => this.xDelete(...(a as [number, number, number])), 'iiii'],
      [vfs + abi.VFS.xAccess, (...a) => this.xAccess(...(a as [number, number, number, number])), 'iiiii'],
      [vfs + abi.VFS.xFullPathname, (...a) => this.xFullPathname(...(a as [number, number, number, number])), 'iiiii'],
      [vfs + abi.VFS.xSleep, (...a) => this.xSleep(Number(a[1])), 'iii'],
    ];
    // Every function goes into the table first, then the method slots point at them.
    const indices = addFunctionsToTable(table, entries.map(([, fn, signature]) => [fn, signature] as const));
    new Uint8Array(this.memory.buffer, this.ioMethods, abi.IO_METHODS_BYTES).fill(0);
    const view = this.view();
    view.setInt32(this.ioMethods + abi.IO.iVersion, 1, true);
    entries.forEach(([address], i) => view.setInt32(address, indices[i] as number, true));
  }

  private view(): DataView {
    return new DataView(this.memory.buffer);
  }

  private heap(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  /** The sqlite3_io_methods of page files: offset in the struct, function, signature. */
  private ioMethodEntries(): [number, Fn, string][] {
    return [
      [abi.IO.xClose, (f) => this.guard(abi.SQLITE_IOERR_DELETE, () => this.xClose(Number(f))), 'ii'],
      [abi.IO.xRead, (f, b, n, o) => this.guard(abi.SQLITE_IOERR_READ, () => this.xRead(Number(f), Number(b), Number(n), Number(o))), 'iiiij'],
      [abi.IO.xWrite, (f, b, n, o) => this.guard(abi.SQLITE_IOERR_WRITE, () => this.xWrite(Number(f), Number(b), Number(n), Number(o))), 'iiiij'],
      [abi.IO.xTruncate, (f, s) => this.guard(abi.SQLITE_IOERR_TRUNCATE, () => this.xTruncate(Number(f), Number(s))), 'iij'],
      [abi.IO.xSync, (f) => this.guard(abi.SQLITE_IOERR_FSYNC, () => this.xSync(Number(f))), 'iii'],
      [abi.IO.xFileSize, (f, p) => this.guard(abi.SQLITE_IOERR_FSTAT, () => this.xFileSize(Number(f), Number(p))), 'iii'],
      [abi.IO.xLock, (f, l) => this.guard(abi.SQLITE_IOERR_LOCK, () => this.xLock(Number(f), Number(l) as LockLevel)), 'iii'],
      [abi.IO.xUnlock, (f, l) => this.guard(abi.SQLITE_IOERR_UNLOCK, () => this.xUnlock(Number(f), Number(l) as LockLevel)), 'iii'],
      [abi.IO.xCheckReservedLock, (f, p) => this.guard(abi.SQLITE_IOERR_LOCK, () => this.xCheckReservedLock(Number(f), Number(p))), 'iii'],
      [abi.IO.xFileControl, () => abi.SQLITE_NOTFOUND, 'iiii'],
      [abi.IO.xSectorSize, () => 4096, 'ii'],
      [abi.IO.xDeviceCharacteristics, () => 0, 'ii'],
    ];
  }

  /** An exception must never unwind through SQLite's C frames: it becomes the I/O error code. */
  private guard(code: number, work: () => number): number {
    try {
      return work();
    } catch {
      return code;
    }
  }

  private xOpen(vfs: number, zName: number, file: number, flags: number, outFlags: number): number {
    const name = zName === 0 ? '' : this.module.UTF8ToString(zName);
    if (!name.startsWith(PREFIX)) return this.original.xOpen(vfs, zName, file, flags, outFlags);
    const { path, readonly } = parseName(name);
    const isMain = (flags & abi.OPEN.MAIN_DB) !== 0;
    try {
      const fd = openFile(path, flags, readonly);
      const id = this.nextId++;
      const created = (flags & abi.OPEN.CREATE) !== 0 && (flags & abi.OPEN.MAIN_JOURNAL) !== 0;
      this.files.set(id, { fd: fd.fd, path, readonly: fd.readonly, deleteOnClose: (flags & abi.OPEN.DELETEONCLOSE) !== 0, syncFolder: created, lock: isMain ? new MarkerLock(path) : undefined });
      const view = this.view();
      view.setInt32(file + abi.FILE.pMethods, this.ioMethods, true);
      view.setInt32(file + abi.FILE.id, id, true);
      if (outFlags !== 0) view.setInt32(outFlags, fd.readonly ? (flags & ~(abi.OPEN.READWRITE | abi.OPEN.CREATE)) | abi.OPEN.READONLY : flags, true);
      return abi.SQLITE_OK;
    } catch {
      this.view().setInt32(file + abi.FILE.pMethods, 0, true);
      return abi.SQLITE_CANTOPEN;
    }
  }

  private xDelete(vfs: number, zName: number, syncDir: number): number {
    const name = this.module.UTF8ToString(zName);
    if (!name.startsWith(PREFIX)) return this.original.xDelete(vfs, zName, syncDir);
    const { path } = parseName(name);
    try {
      unlinkSync(path);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? abi.SQLITE_IOERR_DELETE_NOENT : abi.SQLITE_IOERR_DELETE;
    }
    if (syncDir !== 0) {
      fsyncDir(dirname(path));
      this.counters.fsyncs += 1;
    }
    return abi.SQLITE_OK;
  }

  private xAccess(vfs: number, zName: number, flags: number, resOut: number): number {
    const name = this.module.UTF8ToString(zName);
    if (!name.startsWith(PREFIX)) return this.original.xAccess(vfs, zName, flags, resOut);
    const { path } = parseName(name);
    this.view().setInt32(resOut, accessible(path, flags) ? 1 : 0, true);
    return abi.SQLITE_OK;
  }

  private xFullPathname(vfs: number, zName: number, nOut: number, zOut: number): number {
    const name = this.module.UTF8ToString(zName);
    if (!name.startsWith(PREFIX)) return this.original.xFullPathname(vfs, zName, nOut, zOut);
    const bytes = Buffer.from(name, 'utf8');
    if (bytes.length + 1 > Math.min(nOut, MAX_PATHNAME)) return abi.SQLITE_CANTOPEN;
    this.heap().set(bytes, zOut);
    this.heap()[zOut + bytes.length] = 0;
    return abi.SQLITE_OK;
  }

  private xSleep(micros: number): number {
    // SQLite's busy handler sleeps here between lock attempts; Atomics.wait blocks without spinning.
    Atomics.wait(this.sleeper, 0, 0, Math.max(1, Math.round(micros / 1000)));
    return micros;
  }

  private file(pointer: number): OpenFile {
    const file = this.files.get(this.view().getInt32(pointer + abi.FILE.id, true));
    if (file === undefined) throw new Error('not a page file');
    return file;
  }

  private xClose(pointer: number): number {
    const id = this.view().getInt32(pointer + abi.FILE.id, true);
    const file = this.file(pointer);
    this.files.delete(id);
    file.lock?.unlock(abi.LOCK.NONE);
    closeSync(file.fd);
    if (file.deleteOnClose) unlinkSync(file.path);
    return abi.SQLITE_OK;
  }

  private xRead(pointer: number, buffer: number, amount: number, offset: number): number {
    const file = this.file(pointer);
    const heap = this.heap();
    let done = 0;
    while (done < amount) {
      const got = readSync(file.fd, heap, buffer + done, amount - done, offset + done);
      if (got === 0) break;
      done += got;
    }
    this.counters.reads += 1;
    this.counters.bytesRead += done;
    if (done === amount) return abi.SQLITE_OK;
    heap.fill(0, buffer + done, buffer + amount);
    return abi.SQLITE_IOERR_SHORT_READ;
  }

  private xWrite(pointer: number, buffer: number, amount: number, offset: number): number {
    const file = this.file(pointer);
    const heap = this.heap();
    let done = 0;
    while (done < amount) done += writeSync(file.fd, heap, buffer + done, amount - done, offset + done);
    this.counters.writes += 1;
    this.counters.bytesWritten += amount;
    return abi.SQLITE_OK;
  }

  private xTruncate(pointer: number, size: number): number {
    ftruncateSync(this.file(pointer).fd, size);
    return abi.SQLITE_OK;
  }

  private xSync(pointer: number): number {
    const file = this.file(pointer);
    fsyncSync(file.fd);
    this.counters.fsyncs += 1;
    if (file.syncFolder) {
      fsyncDir(dirname(file.path));
      this.counters.fsyncs += 1;
      file.syncFolder = false;
    }
    return abi.SQLITE_OK;
  }

  private xFileSize(pointer: number, sizeOut: number): number {
    this.view().setBigInt64(sizeOut, BigInt(fstatSync(this.file(pointer).fd).size), true);
    return abi.SQLITE_OK;
  }

  private xLock(pointer: number, level: LockLevel): number {
    const lock = this.file(pointer).lock;
    return lock === undefined || lock.lock(level) ? abi.SQLITE_OK : abi.SQLITE_BUSY;
  }

  private xUnlock(pointer: number, level: LockLevel): number {
    this.file(pointer).lock?.unlock(level);
    return abi.SQLITE_OK;
  }

  private xCheckReservedLock(pointer: number, resOut: number): number {
    const lock = this.file(pointer).lock;
    this.view().setInt32(resOut, lock?.reservedByAnyone() === true ? 1 : 0, true);
    return abi.SQLITE_OK;
  }
}

function original(table: WasmTable, index: number): Fn {
  const fn = table.get(index);
  if (fn === null) throw new Error(`SQLite's VFS function ${index} is not in the WASM table`);
  return fn;
}

function parseName(name: string): { path: string; readonly: boolean } {
  const rest = name.slice(PREFIX.length);
  return { readonly: rest.startsWith('r:'), path: rest.slice(2) };
}

const NOFOLLOW = process.platform === 'win32' ? 0 : constants.O_NOFOLLOW;

/** Opens a page file; a read-only connection opens its database (and a journal) read-only. */
function openFile(path: string, flags: number, readonly: boolean): { fd: number; readonly: boolean } {
  const wantsWrite = !readonly && (flags & abi.OPEN.READWRITE) !== 0;
  if (!wantsWrite) return { fd: openSync(path, constants.O_RDONLY | NOFOLLOW), readonly: true };
  const create = (flags & abi.OPEN.CREATE) !== 0 ? constants.O_CREAT : 0;
  const exclusive = (flags & abi.OPEN.EXCLUSIVE) !== 0 ? constants.O_EXCL : 0;
  return { fd: openSync(path, constants.O_RDWR | create | exclusive | NOFOLLOW, 0o600), readonly: false };
}

/** SQLITE_ACCESS_EXISTS means "exists and is not empty" in the unix VFS: an empty journal is not hot. */
function accessible(path: string, flags: number): boolean {
  try {
    // lstat: a link planted as the journal is not followed (opening it, O_NOFOLLOW, would fail).
    if (flags === abi.ACCESS.EXISTS) {
      const stat = lstatSync(path);
      return stat.isFile() && stat.size > 0;
    }
    accessSync(path, flags === abi.ACCESS.READWRITE ? constants.R_OK | constants.W_OK : constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
