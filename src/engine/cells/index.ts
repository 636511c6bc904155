import type { CellKind } from '../../problem/types.js';
import type { Cell } from './cell.js';
import { rnn } from './rnn.js';

export const cells: Record<CellKind, Cell> = { rnn };
export { headParams, type Cell, type ParamSpec } from './cell.js';
