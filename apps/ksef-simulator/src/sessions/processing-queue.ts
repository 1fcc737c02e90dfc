import { Injectable } from '@nestjs/common';

type Sink = (invoiceReference: string, sessionReference: string) => void;

/**
 * Hand-off from the session write side to the processing worker. It breaks the import cycle between the two (the
 * worker needs sessions to finalize them) without forwardRef.
 */
@Injectable()
export class ProcessingQueue {
  private sink: Sink | undefined;
  private readonly early: [string, string][] = [];

  attach(sink: Sink): void {
    this.sink = sink;
    for (const [invoice, session] of this.early.splice(0)) sink(invoice, session);
  }

  enqueue(invoiceReference: string, sessionReference: string): void {
    if (this.sink) this.sink(invoiceReference, sessionReference);
    else this.early.push([invoiceReference, sessionReference]);
  }
}
