import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Registry } from '@ksef-bridge/observability';
import { METRICS_REGISTRY } from '@ksef-bridge/service-kit';
import { KsefContextRepository } from '../contexts/ksef-context.repository';
import type { TokenCipher } from '../contexts/token-cipher';
import { KodIISigner } from './kod-ii-signer';
import { registerOfflineCertificateGauges } from './offline-certificate.metrics';
import { OfflineCertificateRepository } from './offline-certificate.repository';

/** Token of the (eagerly built) provider that registers the certificate-expiry gauges on the app's registry. */
export const OFFLINE_CERTIFICATE_GAUGES = Symbol('OFFLINE_CERTIFICATE_GAUGES');

/** The KOD II signer with the sender's cipher (the one that seals the contexts' credentials), and the expiry gauges. */
export function offlineCertificateProviders(schema: string, cipher: TokenCipher): Provider[] {
  return [
    { provide: OfflineCertificateRepository, useValue: new OfflineCertificateRepository(schema) },
    {
      provide: KodIISigner,
      inject: [KsefContextRepository, OfflineCertificateRepository],
      useFactory: (contexts: KsefContextRepository, certificates: OfflineCertificateRepository) => new KodIISigner(contexts, certificates, cipher),
    },
    {
      provide: OFFLINE_CERTIFICATE_GAUGES,
      inject: [METRICS_REGISTRY, DataSource, OfflineCertificateRepository],
      useFactory: (registry: Registry, dataSource: DataSource, certificates: OfflineCertificateRepository) => {
        registerOfflineCertificateGauges(registry, dataSource, certificates);
        return true;
      },
    },
  ];
}
