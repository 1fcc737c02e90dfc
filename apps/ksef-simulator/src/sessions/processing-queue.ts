import { Injectable } from '@nestjs/common';

import type { InvoiceRow } from '../infrastructure/invoice.repository';

/** What processing needs of a freshly stored invoice; handed over in memory so processing needs no read-back. */
export type InvoiceSnapshot = Pick<InvoiceRow, 'reference_number' | 'session_reference' | 'content' | 'form_code' | 'offline_mode' | 'invoicing_date' | 'hash_of_corrected'>;

type Sink = (invoiceReference: string, sessionReference: string, snapshot?: InvoiceSnapshot) => void;

/**
 * Hand-off from the session write side to the processing worker. It breaks the import cycle between the two (the
 * worker needs sessions to finalize them) without forwardRef.
 */
@Injectable()
export class ProcessingQueue {
  private sink: Sink | undefined;
  private readonly early: [string, string, InvoiceSnapshot | undefined][] = [];

  attach(sink: Sink): void {
    this.sink = sink;
    for (const [invoice, session, snapshot] of this.early.splice(0)) sink(invoice, session, snapshot);
  }

  enqueue(invoiceReference: string, sessionReference: string, snapshot?: InvoiceSnapshot): void {
    if (this.sink) this.sink(invoiceReference, sessionReference, snapshot);
    else this.early.push([invoiceReference, sessionReference, snapshot]);
  }
}
