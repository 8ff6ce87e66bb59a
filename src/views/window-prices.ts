import * as vscode from 'vscode';
import { DEFAULT_PRICE_TABLE, mergePriceTables } from '../projections/pricing';
import type { PriceTable, PriceTableOverrides } from '../projections/pricing';

/** The report's prices in this window: the defaults with the `logbook.report.prices` setting over them. */
export function windowPrices(): PriceTable {
  return mergePriceTables(DEFAULT_PRICE_TABLE, vscode.workspace.getConfiguration('logbook').get<PriceTableOverrides>('report.prices'));
}
