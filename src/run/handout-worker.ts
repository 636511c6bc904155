// A worker thread of `unrolled handout`: it receives one student's task at a time and
// answers with the result, or with the error (an InputError's problems travel as data).
import { parentPort } from 'node:worker_threads';
import { runVariant, type VariantTask } from '../handout/variant.js';
import { InputError } from '../problem/errors.js';

export type WorkerReply =
  | { ok: true; result: Awaited<ReturnType<typeof runVariant>> }
  | { ok: false; index: number; problems: InputError['problems'] | null; message: string };

const port = parentPort;
if (port) {
  port.on('message', (task: VariantTask) => {
    runVariant(task).then(
      (result) => port.postMessage({ ok: true, result } satisfies WorkerReply),
      (e: unknown) => port.postMessage({ ok: false, index: task.index, problems: e instanceof InputError ? e.problems : null, message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply),
    );
  });
}
