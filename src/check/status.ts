// Thrown by a command that has written its output and must still end with a given exit
// code (`check`: 1 when some answers are wrong). Tiny on purpose: main.ts imports it eagerly.
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ExitStatus';
  }
}
