import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, release, totalmem, type } from 'node:os';

// One line that says what the figures were measured on: ratios travel between machines
// better than absolute times, but only with the machine beside them.

/** `fsyncMs`: a measured small write+fsync, when the run has one: disks differ more than CPUs. */
export function describeMachine(tempDir: string, fsyncMs?: number): string {
  const cores = cpus().length;
  const ram = `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`;
  const fsync = fsyncMs === undefined ? [] : [`small file write+fsync+rename p50 ${fsyncMs.toFixed(2)} ms`];
  return [`CPU ${cpuModel()} (${cores} core${cores === 1 ? '' : 's'})`, ram, `Node ${process.version}`, osName(), disk(tempDir), ...fsync].join(', ');
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1] !== undefined) return match[1].trim();
  } catch {
    // Not Linux: os.cpus() below.
  }
  return cpus()[0]?.model.trim() ?? 'unknown CPU';
}

function osName(): string {
  let distro = '';
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // No os-release (macOS, containers without it): the kernel alone says enough.
  }
  return `${distro === '' ? '' : `${distro}, `}${type()} ${release()} ${arch()}`;
}

function disk(dir: string): string {
  try {
    // -P: one line per file system whatever the device name length; -T: its type.
    const lines = execFileSync('df', ['-PTh', dir], { encoding: 'utf8', timeout: 5000 }).trim().split('\n');
    const cols = (lines[1] ?? '').split(/\s+/);
    const [device, fsType, size, , avail, , mount] = cols;
    if (device !== undefined && mount !== undefined) return `temp dir ${dir} on ${device} (${fsType ?? '?'}, ${size ?? '?'}, ${avail ?? '?'} free, mounted on ${mount})`;
  } catch {
    // df missing or refused: say so rather than fail the bench.
  }
  return `temp dir ${dir} (df unavailable)`;
}
