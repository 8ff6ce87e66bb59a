import type { LockInfo } from './lock';

/** "a VS Code window (pid 123 on host)" — who holds the ingest lock, in words. */
export function describeHolderShort(holder: LockInfo | undefined): string {
  if (holder === undefined) return 'another process';
  return `${holder.owner === 'vscode' ? 'a VS Code window' : holder.owner} (pid ${holder.pid} on ${holder.hostname})`;
}
