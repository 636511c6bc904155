// A worker thread of `unrolled handout`. It gets every task and the shared task board at its
// start (src/run/board.ts); it takes the next task from the board, runs it and posts the
// result (or the error; an InputError's problems travel as data), until no task is left or
// the board says stop, and then says it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { runVariant, type VariantResult, type VariantTask } from '../handout/variant.js';
import { InputError } from '../problem/errors.js';
import { stopBoard, takeTask, type Board } from './board.js';

export interface WorkerData {
  tasks: VariantTask[];
  /** the staging directory */
  stage: string;
  board: Board;
}

export type WorkerReply =
  | { kind: 'result'; result: VariantResult }
  // an Error crosses threads with its message and stack (not its class: an InputError's problems come along)
  | { kind: 'failed'; index: number; problems: InputError['problems'] | null; error: Error }
  | { kind: 'done' };

async function work(port: NonNullable<typeof parentPort>, { tasks, stage, board }: WorkerData): Promise<void> {
  for (let i = takeTask(board, tasks.length); i !== null; i = takeTask(board, tasks.length)) {
    try {
      port.postMessage({ kind: 'result', result: await runVariant(tasks[i]!, stage) } satisfies WorkerReply);
    } catch (e) {
      stopBoard(board);
      port.postMessage({ kind: 'failed', index: i, problems: e instanceof InputError ? e.problems : null, error: e instanceof Error ? e : new Error(String(e)) } satisfies WorkerReply);
    }
  }
  port.postMessage({ kind: 'done' } satisfies WorkerReply);
}

if (parentPort && (workerData as WorkerData | null)?.board instanceof Int32Array) void work(parentPort, workerData as WorkerData);
