import type { CellKind, Convention } from '../../problem/types.js';
import type { Cell } from './cell.js';
import { gruPytorch, gruTextbook } from './gru.js';
import { lstmPytorch, lstmTextbook } from './lstm.js';
import { rnnPytorch, rnnTextbook } from './rnn.js';

/** Every cell in every convention; a new cell is a new forward file and a line here. */
export const cells: Record<CellKind, Record<Convention, Cell>> = {
  rnn: { textbook: rnnTextbook, pytorch: rnnPytorch },
  lstm: { textbook: lstmTextbook, pytorch: lstmPytorch },
  gru: { textbook: gruTextbook, pytorch: gruPytorch },
};
export { headParams, type Cell, type ParamSpec } from './cell.js';
