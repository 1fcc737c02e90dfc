/** Official status codes and descriptions (open-api.json), so every endpoint uses the same wording. */
export interface Status {
  code: number;
  description: string;
  details?: readonly string[];
}

export const AUTH_STATUS = {
  inProgress: { code: 100, description: 'Uwierzytelnianie w toku' },
  success: { code: 200, description: 'Uwierzytelnianie zakończone sukcesem' },
  noPermissions: { code: 415, description: 'Uwierzytelnianie zakończone niepowodzeniem', details: ['Brak przypisanych uprawnień'] },
  revoked: { code: 425, description: 'Uwierzytelnienie unieważnione', details: ['Uwierzytelnienie i powiązane refresh tokeny zostały unieważnione przez użytkownika'] },
  badToken: (detail: string): Status => ({ code: 450, description: 'Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu', details: [detail] }),
  badCertificate: (detail: string): Status => ({ code: 460, description: 'Uwierzytelnianie zakończone niepowodzeniem z powodu błędu certyfikatu', details: [detail] }),
  blocked: {
    code: 480,
    description: 'Uwierzytelnienie zablokowane',
    details: ['Podejrzenie incydentu bezpieczeństwa. Skontaktuj się z Ministerstwem Finansów przez formularz zgłoszeniowy.'],
  },
} as const;

export const SESSION_STATUS = {
  onlineOpen: { code: 100, description: 'Sesja interaktywna otwarta' },
  batchStarted: { code: 100, description: 'Sesja wsadowa rozpoczęta' },
  processing: { code: 150, description: 'Trwa przetwarzanie' },
  onlineClosed: { code: 170, description: 'Sesja interaktywna zamknięta' },
  onlineProcessed: { code: 200, description: 'Sesja interaktywna przetworzona pomyślnie' },
  batchProcessed: { code: 200, description: 'Sesja wsadowa przetworzona pomyślnie' },
  packageError: { code: 405, description: 'Błąd weryfikacji poprawności dostarczonych elementów paczki' },
  keyDecryption: { code: 415, description: 'Błąd odszyfrowania dostarczonego klucza' },
  invoiceLimit: { code: 420, description: 'Przekroczony limit faktur w sesji' },
  decompression: { code: 430, description: 'Błąd dekompresji pierwotnego archiwum' },
  partDecryption: { code: 435, description: 'Błąd odszyfrowania zaszyfrowanych części archiwum' },
  cancelledNoInvoices: { code: 440, description: 'Sesja anulowana', details: ['Nie przesłano faktur'] },
  cancelledTimeout: { code: 440, description: 'Sesja anulowana', details: ['Przekroczono czas wysyłki'] },
  noValidInvoices: { code: 445, description: 'Błąd weryfikacji, brak poprawnych faktur' },
} as const;

export const INVOICE_STATUS = {
  accepted: { code: 100, description: 'Faktura przyjęta do dalszego przetwarzania' },
  processing: { code: 150, description: 'Trwa przetwarzanie' },
  success: { code: 200, description: 'Sukces' },
  sessionError: { code: 405, description: 'Przetwarzanie anulowane z powodu błędu sesji' },
  verification: (details: string[]): Status => ({ code: 430, description: 'Błąd weryfikacji pliku faktury', details }),
  decryption: { code: 435, description: 'Błąd odszyfrowania pliku' },
  duplicate: { code: 440, description: 'Duplikat faktury' },
  semantic: (details: string[]): Status => ({ code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details }),
  unknown: { code: 500, description: 'Nieznany błąd' },
  cancelledBySystem: {
    code: 550,
    description: 'Operacja została anulowana przez system',
    details: ['Przetwarzanie zostało przerwane z przyczyn wewnętrznych systemu. Spróbuj ponownie później.'],
  },
} as const;
