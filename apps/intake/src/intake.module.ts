import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { OutboxWriter } from '@ksef-bridge/outbox';
import { PlatformModule, type PlatformOptions } from '@ksef-bridge/service-kit';
import { InternalDocumentController } from './document-access/internal-document.controller';
import { GetInvoiceController } from './get-invoice/get-invoice.controller';
import { ApiErrorFilter } from './http/api-error.filter';
import { ApiKeyGuard } from './http/api-key.guard';
import { InternalTokenGuard } from './http/internal-token.guard';
import { JsonOnlyMiddleware } from './http/json-only.middleware';
import { IntakeConsumers } from './intake-consumers';
import { IntakeMetrics } from './intake.metrics';
import { InvoiceMetricsRegistration } from './metrics/invoice-metrics.provider';
import { INTAKE_SETTINGS, type IntakeSettings } from './intake.settings';
import { InvoiceLifecycle } from './invoices/invoice-lifecycle';
import { InvoiceRepository } from './invoices/invoice.repository';
import { OpenApiController } from './openapi/openapi.controller';
import { PanelApiController } from './panel-api/panel-api.controller';
import { PANEL_API_PROVIDERS } from './panel-api/panel-api.providers';
import { QrCodeController } from './qr-codes/qr-code.controller';
import { KodIIController } from './qr-codes/kod-ii.controller';
import { kodIIProviders } from './qr-codes/kod-ii.providers';
import { KsefVerdictHandler } from './record-sending/ksef-verdict.handler';
import { SendOutcomeHandler } from './record-sending/send-outcome.handler';
import { ValidationOutcomeHandler } from './record-validation/validation-outcome.handler';
import { ErpInvoiceSubmittedHandler } from './submit-invoice/erp-invoice-submitted.handler';
import { SubmitInvoiceController } from './submit-invoice/submit-invoice.controller';
import { SubmitInvoiceUseCase } from './submit-invoice/submit-invoice.use-case';
import { TenantRepository } from './tenants/tenant.repository';

const KSEF_XML = Symbol('KSEF_XML');

/** Frees the compiled schemas (WebAssembly memory) when the app closes. */
@Injectable()
class XmlValidatorLifecycle implements OnApplicationShutdown {
  constructor(@Inject(KSEF_XML) private readonly xml: KsefXmlValidator) {}
  onApplicationShutdown(): void {
    this.xml.close();
  }
}

/** The controllers with POST routes: JSON bodies only (415 CONTENT_TYPE_UNSUPPORTED otherwise). */
@Module({})
class IntakeFeaturesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonOnlyMiddleware).forRoutes(SubmitInvoiceController, PanelApiController);
  }
}

/**
 * Intake: the ERP doors (HTTP API and the ERP Kafka topic) with one submission use case, the invoice state and
 * history it owns, the claim-check reads for other services, and the recording of the validator's verdicts.
 */
export function intakeAppModule(platform: PlatformOptions, settings: IntakeSettings): DynamicModule {
  return {
    module: IntakeFeaturesModule,
    imports: [PlatformModule.forRoot(platform)],
    controllers: [SubmitInvoiceController, GetInvoiceController, InternalDocumentController, OpenApiController, QrCodeController, KodIIController, PanelApiController],
    providers: [
      { provide: INTAKE_SETTINGS, useValue: settings },
      { provide: KSEF_XML, useFactory: () => createKsefXmlValidator() },
      XmlValidatorLifecycle,
      IntakeMetrics,
      InvoiceMetricsRegistration,
      { provide: TenantRepository, useValue: new TenantRepository(settings.schema) },
      { provide: InvoiceRepository, useValue: new InvoiceRepository(settings.schema) },
      { provide: InvoiceLifecycle, inject: [InvoiceRepository, OutboxWriter], useFactory: (invoices: InvoiceRepository, outbox: OutboxWriter) => new InvoiceLifecycle(invoices, outbox, settings.topics) },
      {
        provide: SubmitInvoiceUseCase,
        inject: [InvoiceRepository, InvoiceLifecycle, KSEF_XML],
        useFactory: (invoices: InvoiceRepository, lifecycle: InvoiceLifecycle, xml: KsefXmlValidator) => new SubmitInvoiceUseCase(invoices, lifecycle, xml, settings),
      },
      {
        provide: ErpInvoiceSubmittedHandler,
        inject: [SubmitInvoiceUseCase, TenantRepository, OutboxWriter, IntakeMetrics],
        useFactory: (submit: SubmitInvoiceUseCase, tenants: TenantRepository, outbox: OutboxWriter, metrics: IntakeMetrics) => new ErpInvoiceSubmittedHandler(submit, tenants, outbox, settings, metrics),
      },
      { provide: ValidationOutcomeHandler, inject: [InvoiceRepository, InvoiceLifecycle], useFactory: (invoices: InvoiceRepository, lifecycle: InvoiceLifecycle) => new ValidationOutcomeHandler(invoices, lifecycle) },
      { provide: SendOutcomeHandler, inject: [InvoiceRepository, InvoiceLifecycle], useFactory: (invoices: InvoiceRepository, lifecycle: InvoiceLifecycle) => new SendOutcomeHandler(invoices, lifecycle) },
      { provide: KsefVerdictHandler, inject: [InvoiceRepository, InvoiceLifecycle], useFactory: (invoices: InvoiceRepository, lifecycle: InvoiceLifecycle) => new KsefVerdictHandler(invoices, lifecycle) },
      ApiKeyGuard,
      InternalTokenGuard,
      ApiErrorFilter,
      IntakeConsumers,
      ...PANEL_API_PROVIDERS,
      ...kodIIProviders(settings),
    ],
  };
}
