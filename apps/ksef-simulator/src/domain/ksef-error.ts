/** A KSeF exception detail: stable numeric code, the official Polish description, and details. */
export interface ExceptionDetail {
  exceptionCode: number;
  exceptionDescription: string;
  details?: string[];
}

/**
 * An error the simulator answers with a documented KSeF error body. `kind` selects the body shape:
 * `exception` (400 ExceptionResponse / problem details), `unauthorized` (401), `forbidden` (403 with reasonCode),
 * `gone` (410), `notFound` (404 problem details).
 */
export class KsefError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly kind: 'exception' | 'unauthorized' | 'forbidden' | 'gone' | 'notFound',
    message: string,
    readonly exceptionDetails: ExceptionDetail[] = [],
    readonly reasonCode?: string,
  ) {
    super(message);
  }

  static exception(code: number, description: string, ...details: string[]): KsefError {
    return new KsefError(400, 'exception', description, [{ exceptionCode: code, exceptionDescription: description, details: details.length ? details : undefined }]);
  }

  static unauthorized(detail: string): KsefError {
    return new KsefError(401, 'unauthorized', detail);
  }

  static forbidden(reasonCode: string, detail: string): KsefError {
    return new KsefError(403, 'forbidden', detail, [], reasonCode);
  }
}

/** The exception codes we raise, with the official descriptions (open-api.json 400 tables). */
export const KSEF_EXCEPTIONS = {
  invalidChallenge: [21111, 'Nieprawidłowe wyzwanie autoryzacyjne.'],
  sessionInvoiceLimit: [21155, 'Przekroczono dozwoloną liczbę faktur w sesji.'],
  invoiceNotFound: [21164, 'Faktura o podanym identyfikatorze nie istnieje.'],
  technicalCorrectionUnavailable: [21166, 'Korekta techniczna niedostępna.'],
  technicalCorrectionNotAllowed: [21167, 'Status faktury nie pozwala na korektę techniczną.'],
  sessionNotFound: [21173, 'Brak sesji o wskazanym numerze referencyjnym.'],
  upoNotFound: [21178, 'Nie znaleziono UPO dla podanych kryteriów.'],
  sessionStatusForbids: [21180, 'Status sesji nie pozwala na wykonanie operacji.'],
  packageEmpty: [21205, 'Pakiet nie może być pusty.'],
  notAuthorized: [21301, 'Brak autoryzacji.'],
  authNotFound: [21304, 'Brak uwierzytelnienia.'],
  wrongSize: [21402, 'Nieprawidłowy rozmiar pliku.'],
  wrongHash: [21403, 'Nieprawidłowy skrót pliku.'],
  validation: [21405, 'Błąd walidacji danych wejściowych.'],
  continuationToken: [21418, 'Przekazany token kontynuacji ma nieprawidłowy format.'],
  unknownKey: [21470, 'Przesłany identyfikator klucza jest nieznany lub wskazuje na wycofany klucz.'],
} as const satisfies Record<string, readonly [number, string]>;

export function ksefException(which: keyof typeof KSEF_EXCEPTIONS, ...details: string[]): KsefError {
  const [code, description] = KSEF_EXCEPTIONS[which];
  return KsefError.exception(code, description, ...details);
}
