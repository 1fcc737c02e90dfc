import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { PlatformModule, type PlatformOptions } from '@ksef-bridge/service-kit';
import { AuditRepository } from './audit/audit.repository';
import { AuthController } from './auth/auth.controller';
import { AuthRepository } from './auth/auth.repository';
import { SessionGuard } from './auth/session.guard';
import { BackendClient } from './backend/backend.client';
import { Backends } from './backend/backends';
import { PanelErrorFilter } from './http/panel-error.filter';
import { InterventionsController } from './interventions/interventions.controller';
import { InterventionsService } from './interventions/interventions.service';
import { InvoicesController } from './invoices/invoices.controller';
import { PANEL_SETTINGS, type PanelSettings } from './panel.settings';
import { SpaController } from './spa/spa.controller';
import { UsersController } from './users/users.controller';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

@Module({})
class PanelFeaturesModule {}

/**
 * The operator panel's backend-for-frontend: people log in here (own schema: users, sessions, audit trail), the SPA
 * is served from here, and every invoice read or intervention goes to the owning service's internal API.
 */
export function panelAppModule(platform: PlatformOptions, settings: PanelSettings): DynamicModule {
  const backends = new Backends(
    new BackendClient('intake', settings.intakeUrl, settings.internalApiToken, settings.backendTimeoutMs),
    new BackendClient('sender', settings.senderUrl, settings.internalApiToken, settings.backendTimeoutMs),
  );
  return {
    module: PanelFeaturesModule,
    imports: [PlatformModule.forRoot(platform)],
    controllers: [AuthController, InvoicesController, InterventionsController, UsersController, SpaController],
    providers: [
      { provide: PANEL_SETTINGS, useValue: settings },
      { provide: AuthRepository, useValue: new AuthRepository(settings.schema) },
      { provide: AuditRepository, useValue: new AuditRepository(settings.schema) },
      { provide: Backends, useValue: backends },
      { provide: InterventionsService, inject: [DataSource, AuditRepository], useFactory: (ds: DataSource, audit: AuditRepository) => new InterventionsService(ds, backends, audit) },
      {
        provide: UsersService,
        inject: [DataSource, AuditRepository],
        useFactory: (ds: DataSource, audit: AuditRepository) => new UsersService(ds, new UsersRepository(settings.schema), audit, settings.passwordHashCost),
      },
      SessionGuard,
      PanelErrorFilter,
      // Also for what fails before a controller runs (broken JSON, body too large, wrong media type): the same shape.
      { provide: APP_FILTER, useExisting: PanelErrorFilter },
    ],
  };
}
