// A controller that was not given what it needs (a key, a CA): it runs nothing, as
// kube-controller-manager skips a controller whose flags are missing.
import type { Controller } from '../context.ts';

export class IdleController implements Controller {
  constructor(readonly name: string) {}
  run(): void {}
  async stop(): Promise<void> {}
}
