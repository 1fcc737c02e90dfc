import { Injectable, OnModuleInit } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { SimClock } from '../domain/clock';
import { generateSimulatorKey, loadSimulatorKey, rsaOaepSha256Decrypt, type KeyUsage, type SimulatorKey, type StoredKey } from '../domain/crypto/simulator-keys';
import { SettingsRepository } from '../infrastructure/settings.repository';
import { ksefException } from '../domain/ksef-error';

type LoadedKey = SimulatorKey & { privateKey: KeyObject };

/** The simulator's own encryption keys (one per usage), created on first start and kept in PostgreSQL. */
@Injectable()
export class KeyService implements OnModuleInit {
  private keys: LoadedKey[] = [];

  constructor(
    private readonly settings: SettingsRepository,
    private readonly clock: SimClock,
  ) {}

  async onModuleInit(): Promise<void> {
    const usages: KeyUsage[] = ['KsefTokenEncryption', 'SymmetricKeyEncryption'];
    this.keys = [];
    for (const usage of usages) {
      const stored = await this.settings.getOrCreate<StoredKey>(`key:${usage}`, () => generateSimulatorKey(usage, this.clock.date()));
      this.keys.push(loadSimulatorKey(stored));
    }
  }

  /** The list `GET /security/public-key-certificates` returns. */
  certificates(): { certificate: string; certificateId: string; publicKeyId: string; validFrom: string; validTo: string; usage: KeyUsage[] }[] {
    return this.keys.map((k) => ({
      certificate: k.certificateDer.toString('base64'),
      certificateId: k.certificateId,
      publicKeyId: k.publicKeyId,
      validFrom: k.validFrom.toISOString(),
      validTo: k.validTo.toISOString(),
      usage: [k.usage],
    }));
  }

  /** Decrypts with the key of `usage`; a `publicKeyId` that is not that key is 21470. Throws the raw crypto error otherwise. */
  decrypt(usage: KeyUsage, ciphertext: Buffer, publicKeyId?: string | null): Buffer {
    const key = this.keys.find((k) => k.usage === usage);
    if (!key) throw new Error(`no key for ${usage}`);
    if (publicKeyId && publicKeyId !== key.publicKeyId) throw ksefException('unknownKey', `Klucz o identyfikatorze ${publicKeyId} nie jest wspierany.`);
    return rsaOaepSha256Decrypt(key.privateKey, ciphertext);
  }
}
