import { FIRST_PAGE_ROWS } from '../../protocol/dashboard';

// How many sessions the dashboard's first state holds before the webview asks for the rest. The
// integration tests set it low ($LOGBOOK_DASHBOARD_FIRST_PAGE) so that their few sessions go the
// way a year of them does: a first page painted, then every row.

export const DASHBOARD_FIRST_PAGE_ENV = 'LOGBOOK_DASHBOARD_FIRST_PAGE';

export function firstPageRows(): number {
  const set = Number(process.env[DASHBOARD_FIRST_PAGE_ENV]);
  return Number.isSafeInteger(set) && set > 0 ? set : FIRST_PAGE_ROWS;
}
