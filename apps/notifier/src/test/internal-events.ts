import type { InvoiceAccepted, InvoiceEscalated, InvoiceInvalid, InvoiceRejected } from '@ksef-bridge/contracts';

/** Internal payloads as status-poller, sender and validator emit them, for one invoice. */
export const UPO_XML = '<?xml version="1.0" encoding="UTF-8"?><Potwierdzenie><NumerKSeFDokumentu>5265877635-20260101-0100001AF629-AF</NumerKSeFDokumentu></Potwierdzenie>';

export const acceptedPayload = (invoiceId: string): InvoiceAccepted => ({
  invoiceId,
  erpDocumentId: `FV/${invoiceId.slice(0, 8)}`,
  contextNip: '5265877635',
  ksefNumber: '5265877635-20260101-0100001AF629-AF',
  acquisitionDate: '2026-01-01T10:00:01.000Z',
  sessionReferenceNumber: '20260101-SO-2C3E6C8000-B6A2DD2C1A-6E',
  invoiceReferenceNumber: '20260101-EE-2C3E6C8000-B6A2DD2C1A-6F',
  invoiceHash: 'mXrnJ1m3fSCzYI1yhC7JvS9mW1U7eJj0gZb3hY9M1qE=',
  upoXml: UPO_XML,
  upoPending: false,
  duplicate: false,
  acceptedAt: '2026-01-01T10:00:02.000Z',
});

export const rejectedPayload = (invoiceId: string): InvoiceRejected => ({
  invoiceId,
  erpDocumentId: `FV/${invoiceId.slice(0, 8)}`,
  contextNip: '5265877635',
  stage: 'processing',
  processingCode: 450,
  exceptionCodes: [],
  description: 'Błąd weryfikacji semantyki dokumentu faktury',
  details: ['Nieprawidłowa data wystawienia'],
  rejectedAt: '2026-01-01T10:00:02.000Z',
});

export const invalidPayload = (invoiceId: string): InvoiceInvalid => ({
  invoiceId,
  erpDocumentId: `FV/${invoiceId.slice(0, 8)}`,
  stage: 'rules',
  issues: [{ code: 'NIP_CHECKSUM', messagePl: 'Nieprawidłowa suma kontrolna NIP', messageEn: 'Invalid NIP checksum', xpath: '/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP' }],
});

export const escalatedPayload = (invoiceId: string): InvoiceEscalated => ({
  invoiceId,
  erpDocumentId: `FV/${invoiceId.slice(0, 8)}`,
  contextNip: '5265877635',
  actor: 'sender',
  code: 'ATTEMPTS_EXHAUSTED',
  message: 'KSeF did not answer within 8 attempts',
  attempts: 8,
  referenceNumbers: {},
  escalatedAt: '2026-01-01T10:00:02.000Z',
});
