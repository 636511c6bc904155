// The task board shared by the threads of `unrolled handout` (src/run/board.ts).
import { describe, it, expect } from 'vitest';
import { Worker } from 'node:worker_threads';
import { newBoard, stopBoard, takeTask } from '../../src/run/board.js';

describe('the task board', () => {
  it('hands out every index once, in order, then none', () => {
    const board = newBoard();
    expect([0, 1, 2, 3].map(() => takeTask(board, 3))).toEqual([0, 1, 2, null]);
    expect(takeTask(board, 3)).toBeNull();
  });

  it('hands out nothing more once stopped', () => {
    const board = newBoard();
    expect(takeTask(board, 10)).toBe(0);
    stopBoard(board);
    expect(takeTask(board, 10)).toBeNull();
  });

  it('gives each index to exactly one of several threads taking at once', async () => {
    const board = newBoard();
    const count = 20_000;
    // three threads take as fast as they can, this one too (takeTask's steps written out in
    // plain JavaScript: a worker thread started here cannot load the TypeScript module)
    const taker = `const { workerData, parentPort } = require('node:worker_threads');
      const taken = []; for (;;) { if (Atomics.load(workerData.board, 1) !== 0) break;
        const i = Atomics.add(workerData.board, 0, 1); if (i >= workerData.count) break; taken.push(i); }
      parentPort.postMessage(taken);`;
    const others = Array.from({ length: 3 }, () => new Promise<number[]>((resolve, reject) => new Worker(taker, { eval: true, workerData: { board, count } }).on('message', resolve).on('error', reject)));
    const mine: number[] = [];
    for (let i = takeTask(board, count); i !== null; i = takeTask(board, count)) mine.push(i);
    const all = [mine, ...(await Promise.all(others))].flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
  });
});
