// SQLite's C ABI as sql.js's wasm32 build lays it out: offsets of the sqlite3_vfs and
// sqlite3_io_methods structs (pointers and ints are 4 bytes), and the result codes and open flags
// the page-file VFS returns and reads. These are SQLite's stable public interface (sqlite3.h),
// not sql.js internals: they hold for any sql.js built on SQLite 3.x for wasm32.

/** Byte offsets of the sqlite3_vfs fields the page-file VFS reads or replaces. */
export const VFS = {
  iVersion: 0,
  szOsFile: 4,
  zName: 16,
  xOpen: 24,
  xDelete: 28,
  xAccess: 32,
  xFullPathname: 36,
  xSleep: 60,
} as const;

/** sqlite3_io_methods, version 1 (no shared memory, no mmap): 13 fields of 4 bytes. */
export const IO_METHODS_BYTES = 52;
export const IO = {
  iVersion: 0,
  xClose: 4,
  xRead: 8,
  xWrite: 12,
  xTruncate: 16,
  xSync: 20,
  xFileSize: 24,
  xLock: 28,
  xUnlock: 32,
  xCheckReservedLock: 36,
  xFileControl: 40,
  xSectorSize: 44,
  xDeviceCharacteristics: 48,
} as const;

/** sqlite3_file: pMethods, then (ours) the id of the open file in the VFS's table. */
export const FILE = { pMethods: 0, id: 4 } as const;

export const SQLITE_OK = 0;
export const SQLITE_BUSY = 5;
export const SQLITE_NOTFOUND = 12;
export const SQLITE_CANTOPEN = 14;
export const SQLITE_IOERR_READ = 266;
export const SQLITE_IOERR_SHORT_READ = 522;
export const SQLITE_IOERR_WRITE = 778;
export const SQLITE_IOERR_FSYNC = 1034;
export const SQLITE_IOERR_TRUNCATE = 1546;
export const SQLITE_IOERR_FSTAT = 1802;
export const SQLITE_IOERR_UNLOCK = 2058;
export const SQLITE_IOERR_DELETE = 2570;
export const SQLITE_IOERR_ACCESS = 3338;
export const SQLITE_IOERR_LOCK = 3850;
export const SQLITE_IOERR_DELETE_NOENT = 5898;

export const OPEN = {
  READONLY: 0x1,
  READWRITE: 0x2,
  CREATE: 0x4,
  DELETEONCLOSE: 0x8,
  EXCLUSIVE: 0x10,
  MAIN_DB: 0x100,
  MAIN_JOURNAL: 0x800,
} as const;

export const ACCESS = { EXISTS: 0, READWRITE: 1, READ: 2 } as const;

/** Lock levels, as xLock and xUnlock take them. */
export const LOCK = { NONE: 0, SHARED: 1, RESERVED: 2, PENDING: 3, EXCLUSIVE: 4 } as const;
export type LockLevel = (typeof LOCK)[keyof typeof LOCK];
