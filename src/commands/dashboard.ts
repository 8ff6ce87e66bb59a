import type { ExtensionContext } from './context';
import { dashboardTimings } from '../views/dashboard/timings';

/** The Sessions dashboard: every session of every workspace in the window. */
export async function openDashboard(ctx: ExtensionContext): Promise<void> {
  dashboardTimings.commanded();
  ctx.showPanel('dashboard', 'all');
}
