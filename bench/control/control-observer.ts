import type { ControlSnapshot, RaisedAlert } from '../../src/control/control-center';

// The ControlCenter's two callbacks, each call stamped as it is told (epoch ms), with waiters for
// "the first update (or alert) that shows X": what the latency samples end on.

export interface Seen<T> {
  readonly value: T;
  /** Epoch ms when the control center told it. */
  readonly at: number;
}

interface Waiter<T> {
  readonly match: (value: T) => boolean;
  readonly done: (seen: Seen<T> | undefined) => void;
}

export class CenterObserver {
  /** onUpdate calls so far (every read of a workspace, every due timer, every poll). */
  updates = 0;
  readonly alerts: Seen<RaisedAlert>[] = [];
  last: ControlSnapshot | undefined;
  private readonly rowWaiters = new Set<Waiter<ControlSnapshot>>();
  private readonly alertWaiters = new Set<Waiter<RaisedAlert>>();

  readonly onUpdate = (snapshot: ControlSnapshot): void => {
    const at = Date.now();
    this.updates += 1;
    this.last = snapshot;
    settle(this.rowWaiters, snapshot, at);
  };

  readonly onAlert = (raised: RaisedAlert): void => {
    const at = Date.now();
    this.alerts.push({ value: raised, at });
    settle(this.alertWaiters, raised, at);
  };

  /** The first update from now on that matches; undefined after `timeoutMs`. */
  nextUpdate(match: (snapshot: ControlSnapshot) => boolean, timeoutMs: number): Promise<Seen<ControlSnapshot> | undefined> {
    return wait(this.rowWaiters, match, timeoutMs);
  }

  /** The last update if it matches already, else the next one that does. */
  shown(match: (snapshot: ControlSnapshot) => boolean, timeoutMs: number): Promise<Seen<ControlSnapshot> | undefined> {
    if (this.last !== undefined && match(this.last)) return Promise.resolve({ value: this.last, at: Date.now() });
    return this.nextUpdate(match, timeoutMs);
  }

  /** The first alert from now on that matches; undefined after `timeoutMs`. */
  nextAlert(match: (raised: RaisedAlert) => boolean, timeoutMs: number): Promise<Seen<RaisedAlert> | undefined> {
    return wait(this.alertWaiters, match, timeoutMs);
  }
}

function wait<T>(waiters: Set<Waiter<T>>, match: (value: T) => boolean, timeoutMs: number): Promise<Seen<T> | undefined> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const waiter: Waiter<T> = {
      match,
      done: (seen) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(seen);
      },
    };
    timer = setTimeout(() => waiter.done(undefined), timeoutMs);
    waiters.add(waiter);
  });
}

function settle<T>(waiters: ReadonlySet<Waiter<T>>, value: T, at: number): void {
  for (const waiter of [...waiters]) if (waiter.match(value)) waiter.done({ value, at });
}
