// Written by test/bench/size-rates.ts (`npm run size-rates -- --write`), which fits these
// to the solutions of problems of every cell, stacked and bidirectional, with the training
// options, and prints how far the estimates are from the texts: do not edit by hand.
import type { Format } from '../render/formats.js';
import type { Detail } from '../render/view.js';

/** characters per unit of work of an RNN, an LSTM, a GRU; per row and timestep of each; per output step; per example; per document */
export type Rates = [rnn: number, lstm: number, gru: number, rnnRow: number, lstmRow: number, gruRow: number, output: number, example: number, document: number];

/** the rates at 4 and at 12 decimals (JSON: 64 and 200 digits) */
export const CHARS: Record<Format, Record<Detail, [Rates, Rates]>> = {
  md: {
    full: [[82.6, 108.1, 52.2, 619.1, 1294.5, 1801.2, 3355.3, 4055.2, 20998.8], [124.4, 133.6, 68.1, 661.7, 1422.3, 2141.5, 4541, 2534.7, 24937.8]],
    standard: [[19.6, 29, 0, 448.5, 1017.1, 1236.8, 3488.2, 4190.6, 23077.4], [34.1, 35, 0.9, 535.4, 1159.9, 1521.5, 4696.9, 2628.3, 26714]],
    brief: [[9, 16.1, 4.9, 93.3, 133.7, 184.4, 1177.9, 2457, 22709.2], [18.2, 20.8, 11.5, 105.4, 126.9, 182.6, 1965.9, 1376.5, 27396]],
  },
  tex: {
    full: [[280.2, 362.1, 218.1, 1799, 3796.9, 5078.4, 9855.9, 6021.8, 46072.9], [397.5, 435.6, 267.6, 1895.1, 4123.4, 5937.2, 12542.5, 3186.5, 53029.5]],
    standard: [[55, 76.2, 5, 1197.7, 2815.4, 3354, 10180, 6981.2, 52280.1], [90.7, 91.5, 9, 1416.8, 3192.1, 4052.1, 12958.5, 3925.6, 59075.8]],
    brief: [[20.9, 35.5, 19.5, 165.9, 216.4, 272.1, 2918.3, 1911.5, 43604.1], [38.8, 43.8, 30.1, 169.7, 187.8, 277.4, 4520.2, 461.4, 51679.4]],
  },
  html: {
    full: [[0, 1828.8, 1388.5, 49087.5, 74453.5, 71430.1, 135179.3, 121136.3, 73175], [0, 1515.2, 1294.3, 49598.7, 68478.3, 67460.2, 144370, 118324.3, 80917.6]],
    standard: [[0, 0, 129.5, 26678.5, 59380, 48521.4, 173714.9, 175516.4, 123233.6], [0, 0, 156.4, 26625.8, 51294.1, 43353.9, 186972, 173791.3, 134224]],
    brief: [[0, 774.7, 326.3, 6592.9, 4400.7, 5745.8, 46410.5, 141679, 298470.8], [3.1, 545.2, 238.7, 6300.7, 2309.4, 5059, 56359.3, 134990.2, 346445.9]],
  },
  json: {
    full: [[86.5, 96.2, 41.7, 195.1, 352.2, 677.6, 1449.7, 0, 8087.6], [236, 258, 83.7, 427.1, 837.7, 1873.2, 3597, 0, 16332.9]],
    standard: [[86.5, 96.2, 41.7, 195.1, 352.2, 677.6, 1449.7, 0, 8087.6], [236, 258, 83.7, 427.1, 837.7, 1873.2, 3597, 0, 16332.9]],
    brief: [[86.5, 96.2, 41.7, 195.1, 352.2, 677.6, 1449.7, 0, 8087.6], [236, 258, 83.7, 427.1, 837.7, 1873.2, 3597, 0, 16332.9]],
  },
};
