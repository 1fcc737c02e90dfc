import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { SubmitInvoiceUseCase } from '../submit-invoice/submit-invoice.use-case';
import { PanelInterventions } from './panel-interventions';

/** What the panel's internal API needs, registered by intake's module in one line. */
export const PANEL_API_PROVIDERS: Provider[] = [
  {
    provide: PanelInterventions,
    inject: [DataSource, InvoiceRepository, InvoiceLifecycle, SubmitInvoiceUseCase],
    useFactory: (ds: DataSource, invoices: InvoiceRepository, lifecycle: InvoiceLifecycle, submit: SubmitInvoiceUseCase) => new PanelInterventions(ds, invoices, lifecycle, submit),
  },
];
