import { BackendClient } from './backend.client';

/** The two services the panel reads from and acts through (each owns its data; the panel never reads their schemas). */
export class Backends {
  constructor(
    readonly intake: BackendClient,
    readonly sender: BackendClient,
  ) {}
}
