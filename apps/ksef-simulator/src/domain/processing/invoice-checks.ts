import { invoicePreflight, isValidNip, type KsefSchemaName, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { INVOICE_STATUS, type Status } from '../statuses';

/** Fields read from an invoice (FA(2) and FA(3) share these paths). */
export const INVOICE_FIELDS = {
  sellerNip: 't:Podmiot1/t:DaneIdentyfikacyjne/t:NIP',
  sellerName: 't:Podmiot1/t:DaneIdentyfikacyjne/t:Nazwa',
  buyerNip: 't:Podmiot2/t:DaneIdentyfikacyjne/t:NIP',
  buyerName: 't:Podmiot2/t:DaneIdentyfikacyjne/t:Nazwa',
  issueDate: 't:Fa/t:P_1',
  invoiceNumber: 't:Fa/t:P_2',
  invoiceType: 't:Fa/t:RodzajFaktury',
  currency: 't:Fa/t:KodWaluty',
  gross: 't:Fa/t:P_15',
  net: 't:Fa/t:P_13_1',
  vat: 't:Fa/t:P_14_1',
  subject3Nip: 't:Podmiot3/t:DaneIdentyfikacyjne/t:NIP',
  attachment: 't:Zalacznik/t:BlokDanych',
} as const;

export type InvoiceFields = Partial<Record<keyof typeof INVOICE_FIELDS, string>>;

export type CheckResult = { ok: true; fields: InvoiceFields; schema: KsefSchemaName } | { ok: false; status: Status };

export interface CheckOptions {
  /** Production mode also checks NIP checksums of the parties (TE does not). */
  production: boolean;
  maxSizeBytes: number;
  maxSizeWithAttachmentBytes: number;
  attachmentsAllowed: boolean;
  /** Acceptance time; P_1 may not be after it. */
  now: Date;
}

/** Maps a session form code to the schema it declares. */
export function schemaForForm(systemCode: string): KsefSchemaName | undefined {
  return systemCode === 'FA (3)' ? 'FA(3)' : systemCode === 'FA (2)' ? 'FA(2)' : undefined;
}

/**
 * KSeF's file checks in their documented order (faktury/weryfikacja-faktury.md): size, bytes (BOM, encoding, PIs,
 * code points), well-formedness and XSD (430 with the validator's message), then semantics (450).
 */
export function checkInvoice(content: Buffer, systemCode: string, validator: KsefXmlValidator, options: CheckOptions): CheckResult {
  const schema = schemaForForm(systemCode);
  if (!schema) return { ok: false, status: INVOICE_STATUS.verification([`Nieobsługiwany kod formularza ${systemCode}`]) };
  if (content.length > options.maxSizeWithAttachmentBytes) {
    return { ok: false, status: INVOICE_STATUS.verification([`Rozmiar faktury ${content.length} B przekracza dopuszczalny limit ${options.maxSizeWithAttachmentBytes} B`]) };
  }
  const byteProblem = invoicePreflight(content);
  if (byteProblem) return { ok: false, status: INVOICE_STATUS.verification([byteProblem]) };
  const result = validator.validate(schema, content, INVOICE_FIELDS);
  if (!result.valid) {
    const details = result.problems.slice(0, 10).map((p) => (p.line ? `(${p.line}:${p.col ?? 0}) ${p.message}` : p.message));
    return { ok: false, status: INVOICE_STATUS.verification(details) };
  }
  const fields = result.fields as InvoiceFields;
  const hasAttachment = fields.attachment !== undefined;
  if (hasAttachment && !options.attachmentsAllowed) return { ok: false, status: { code: 415, description: 'Brak możliwości wysyłania faktury z załącznikiem' } };
  if (!hasAttachment && content.length > options.maxSizeBytes) {
    return { ok: false, status: INVOICE_STATUS.verification([`Rozmiar faktury ${content.length} B przekracza dopuszczalny limit ${options.maxSizeBytes} B`]) };
  }
  const today = options.now.toISOString().slice(0, 10);
  if (fields.issueDate && fields.issueDate > today) {
    return { ok: false, status: INVOICE_STATUS.semantic([`Data wystawienia faktury (P_1) ${fields.issueDate} jest późniejsza niż data przyjęcia ${today}`]) };
  }
  if (options.production) {
    for (const [role, nip] of [['Podmiot1', fields.sellerNip], ['Podmiot2', fields.buyerNip], ['Podmiot3', fields.subject3Nip]] as const) {
      if (nip && !isValidNip(nip)) return { ok: false, status: INVOICE_STATUS.semantic([`Nieprawidłowa suma kontrolna NIP ${nip} (${role})`]) };
    }
  }
  return { ok: true, fields, schema };
}
