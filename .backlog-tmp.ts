import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDirs } from './src/capture/safe-fs';
import { fixturePayloads, logInInbox } from './test/unit/helpers';
const ws = process.argv[2] as string;
const inbox = join(ws, '.logbook', 'inbox');
mkdirSync(ws, { recursive: true });
ensurePrivateDirs([join(ws, '.logbook'), inbox]);
const payloads = fixturePayloads();
let n = 0;
while (n < Number(process.argv[3])) {
  const session = randomUUID();
  for (const p of payloads) { logInInbox(inbox, { ...p, session_id: session }, String(p['hook_event_name'])); n += 1; }
}
console.log(n);
