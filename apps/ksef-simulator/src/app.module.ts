import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '@ksef-bridge/config';
import { AccessService } from './auth/access.service';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { JwtService } from './auth/jwt.service';
import { SimClock } from './domain/clock';
import { FaultPlan } from './domain/faults/fault-plan';
import type { SimulatorSettings } from './domain/simulator-settings';
import { SIM_SETTINGS } from './domain/simulator-tokens';
import { KsefExceptionFilter } from './http/ksef-exception.filter';
import { SignedUrlService } from './http/signed-url.service';
import { SimulatorMetrics } from './http/simulator-metrics';
import { AuthRepository } from './infrastructure/auth.repository';
import { InvoiceRepository } from './infrastructure/invoice.repository';
import { KsefTokenRepository } from './infrastructure/ksef-token.repository';
import { SessionRepository } from './infrastructure/session.repository';
import { SettingsRepository } from './infrastructure/settings.repository';
import { TestdataRepository } from './infrastructure/testdata.repository';
import { LimitsController } from './limits/limits.controller';
import { RateLimitService } from './limits/rate-limit.service';
import { KeyService } from './security/key.service';
import { SecurityController } from './security/security.controller';
import { InvoiceProcessingService } from './sessions/invoice-processing.service';
import { ProcessingQueue } from './sessions/processing-queue';
import { BatchSessionController } from './sessions/batch-session.controller';
import { BatchSessionService } from './sessions/batch-session.service';
import { BatchRepository } from './infrastructure/batch.repository';
import { InvoicesController } from './invoices/invoices.controller';
import { InvoiceQueryService } from './invoices/invoice-query.service';
import { InvoiceExportService } from './invoices/invoice-export.service';
import { InvoiceExportRepository } from './infrastructure/invoice-export.repository';
import { InvoiceQueryRepository } from './infrastructure/invoice-query.repository';
import { OnlineSessionController } from './sessions/online-session.controller';
import { SessionLimitsService } from './sessions/session-limits.service';
import { SessionStatusController } from './sessions/session-status.controller';
import { SessionViewsService } from './sessions/session-views.service';
import { SessionService } from './sessions/session.service';
import { xmlValidatorProvider } from './sessions/xml-validator.provider';
import { initializeSimulatorDatabase, SimulatorDatabase } from './simulator-database';
import { TestdataController } from './testdata/testdata.controller';
import { KsefTokenService } from './tokens/ksef-token.service';
import { TokensController } from './tokens/tokens.controller';
import { LatarniaRepository } from './infrastructure/latarnia.repository';
import { LatarniaService } from './latarnia/latarnia.service';
import { InvoiceChecker } from './sessions/invoice-checker';

/** The KSeF 2.0 simulator: KSeF endpoints under /v2, admin API under /admin, state in PostgreSQL. */
@Module({})
export class KsefSimulatorModule {
  static forRoot(settings: SimulatorSettings, db: DatabaseConfig): DynamicModule {
    return {
      module: KsefSimulatorModule,
      controllers: [AuthController, SecurityController, TokensController, TestdataController, LimitsController, OnlineSessionController, BatchSessionController, SessionStatusController, InvoicesController],
      providers: [
        { provide: SIM_SETTINGS, useValue: settings },
        { provide: DataSource, useFactory: () => initializeSimulatorDatabase(db) },
        { provide: SimClock, useValue: new SimClock(settings.clockScale) },
        { provide: FaultPlan, useValue: new FaultPlan(settings.faultSeed) },
        { provide: APP_FILTER, useClass: KsefExceptionFilter },
        xmlValidatorProvider,
        SimulatorDatabase,
        SimulatorMetrics,
        SettingsRepository,
        AuthRepository,
        KsefTokenRepository,
        TestdataRepository,
        SessionRepository,
        InvoiceRepository,
        KeyService,
        JwtService,
        AccessService,
        AuthService,
        KsefTokenService,
        SignedUrlService,
        RateLimitService,
        SessionLimitsService,
        SessionService,
        SessionViewsService,
        ProcessingQueue,
        InvoiceChecker,
        InvoiceProcessingService,
        BatchRepository,
        BatchSessionService,
        InvoiceQueryRepository,
        InvoiceQueryService,
        InvoiceExportRepository,
        InvoiceExportService,
        LatarniaRepository,
        LatarniaService,
      ],
    };
  }
}
