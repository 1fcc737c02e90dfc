import type { Provider } from '@nestjs/common';
import { KsefContextRepository } from '../contexts/ksef-context.repository';
import type { TokenCipher } from '../contexts/token-cipher';
import { KodIISigner } from './kod-ii-signer';
import { OfflineCertificateRepository } from './offline-certificate.repository';

/** The KOD II signer with the sender's cipher (the one that seals the contexts' credentials). */
export function offlineCertificateProviders(schema: string, cipher: TokenCipher): Provider[] {
  return [
    { provide: OfflineCertificateRepository, useValue: new OfflineCertificateRepository(schema) },
    {
      provide: KodIISigner,
      inject: [KsefContextRepository, OfflineCertificateRepository],
      useFactory: (contexts: KsefContextRepository, certificates: OfflineCertificateRepository) => new KodIISigner(contexts, certificates, cipher),
    },
  ];
}
