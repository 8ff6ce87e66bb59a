// An alert's id is a hash of what names its episode, so every watcher (each VS Code window, the
// CLI) that sees the same crossing makes the same id, and a session's recorded ids say which
// episodes have alerted already. The domain runs in the hook, the CLI and the webviews alike, so
// the hash is a small pure one rather than node:crypto: FNV-1a 64-bit over the UTF-8 bytes, twice
// from two offset bases, 128 bits in all. It names episodes, it guards nothing: no secret goes in.

const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const BASES = [0xcbf29ce484222325n, 0x6c62272e07bb0142n] as const;
const encoder = new TextEncoder();

/** FNV-1a 64-bit of the bytes from an offset basis, as 16 hex digits. */
export function fnv1a64(bytes: Uint8Array, basis: bigint): string {
  let hash = basis;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}

/** 32 hex digits naming `parts` (joined unambiguously). */
export function hash128(parts: readonly string[]): string {
  const bytes = encoder.encode(JSON.stringify(parts));
  return BASES.map((basis) => fnv1a64(bytes, basis)).join('');
}

/** The id of a rule's episode in a scope (a session id, or a workspace for a workspace-wide rule). */
export function alertId(scope: string, rule: string, episode: string): string {
  return `alert-${hash128([scope, rule, episode])}`;
}
