// The task board of `unrolled handout`: one counter and one stop flag in shared memory,
// read and written by the main thread and every worker thread. Each thread takes the next
// task's index from the counter, so tasks start in roster order whichever thread is free,
// with no round trip through the main thread.

/** [next task's index, stop flag] */
export type Board = Int32Array;
const NEXT = 0;
const STOP = 1;

export const newBoard = (): Board => new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));

/** No further task starts (the running ones finish). */
export const stopBoard = (board: Board): void => void Atomics.store(board, STOP, 1);

/** The index of the next task to run, or null when all `count` are taken or the board says stop. */
export function takeTask(board: Board, count: number): number | null {
  if (Atomics.load(board, STOP) !== 0) return null;
  const i = Atomics.add(board, NEXT, 1);
  return i < count ? i : null;
}
