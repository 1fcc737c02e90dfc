import { INVOICE_STATE_LABELS_PL, INVOICE_STATES } from '@ksef-bridge/invoice-domain';
import { KOD_II_OPENAPI_PATHS } from '../qr-codes/kod-ii.openapi';

const error = (description: string, codes: string[]) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code: codes[0], message: '…' } } } },
  'x-error-codes': codes,
});

/**
 * OpenAPI 3.1 description of intake's ERP API, served at `GET /v1/openapi.json`. Written by hand next to the
 * controllers (no decorator generator in the stack); intake's integration test checks that every documented route
 * answers as described.
 */
export const INTAKE_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'ksef-bridge intake API',
    version: '1.0.0',
    description:
      'ERP door of ksef-bridge: hand over FA(3)/FA(2) invoices for KSeF, idempotently per ERP document, and follow each invoice to its final state. ' +
      'The same semantics are offered on the Kafka topic ksef.erp.invoice-submitted.v1 (see docs/pipeline.md).',
  },
  servers: [{ url: 'http://127.0.0.1:3001' }],
  security: [{ bearerApiKey: [] }, { apiKeyHeader: [] }],
  paths: {
    '/v1/invoices': {
      post: {
        operationId: 'submitInvoice',
        summary: 'Submit an invoice',
        description:
          'Stores the XML once (claim check) and starts validation. The same ERP document id with the same content returns the existing invoice (200); ' +
          'with different content, or a different offline marking / technical-correction link, it is refused (409). An Idempotency-Key reused for another document is refused (409). ' +
          'An invoice issued offline (API.md §11) carries `offline`; after validation it shows state OFFLINE until the sender sends it with offlineMode. ' +
          'A technical correction names the rejected offline invoice it corrects in `technicalCorrectionOf` (docs/offline-mode.md).',
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmitInvoice' } } } },
        responses: {
          '201': { description: 'Invoice taken in (state RECEIVED)', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } } },
          '200': { description: 'Same submission as before: the existing invoice', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } } },
          '400': error('Malformed request, document or offline marking, or a character that cannot be stored in erpDocumentId or metadata', ['REQUEST_INVALID', 'TEXT_CHARACTER_NOT_ALLOWED', 'IDEMPOTENCY_KEY_REQUIRED', 'DOCUMENT_EMPTY', 'XML_MALFORMED', 'OFFLINE_MODE_UNKNOWN', 'OFFLINE_PERIOD_NOT_ALLOWED', 'OFFLINE_MARKING_INVALID']),
          '401': error('Missing, unknown or revoked API key', ['UNAUTHENTICATED', 'UNKNOWN_TENANT']),
          '409': error('Conflicting resubmission, or a technical correction of an offline invoice KSeF has not rejected', ['IDEMPOTENCY_CONFLICT', 'CORRECTED_INVOICE_NOT_REJECTED']),
          '422': error(
            "technicalCorrectionOf names no invoice of this tenant (another tenant's answers the same), an invoice not issued offline, or the submission gives another offline marking than the corrected invoice's",
            ['CORRECTED_INVOICE_NOT_FOUND', 'CORRECTED_INVOICE_NOT_OFFLINE', 'OFFLINE_MODE_MISMATCH'],
          ),
          '413': error('Document larger than allowed (INTAKE_MAX_DOCUMENT_BYTES, default 3,000,000)', ['DOCUMENT_TOO_LARGE']),
          '415': error('A body that is not application/json, or a document not UTF-8 without BOM, with another declared encoding, or processing instructions', ['CONTENT_TYPE_UNSUPPORTED', 'DOCUMENT_ENCODING']),
          '503': error('Temporarily unavailable: retry with the same Idempotency-Key', ['DB_UNAVAILABLE']),
        },
      },
      get: {
        operationId: 'findInvoices',
        summary: 'Find invoices by ERP document id (one invoice) or by KSeF number (a list)',
        description:
          'Exactly one query parameter. `erpDocumentId` answers the invoice of that ERP document with its full history, or 404 (for ERPs using the Kafka door, which never see our id). ' +
          '`ksefNumber` answers `{ items }`: the calling tenant\'s invoices carrying that KSeF number, the one KSeF numbered first, then any whose send KSeF answered as a duplicate (440) of it; ' +
          'an empty list when there is none (for SREs and accounting). Both only ever see the calling tenant\'s invoices.',
        parameters: [
          { name: 'erpDocumentId', in: 'query', required: false, schema: { type: 'string', minLength: 1, maxLength: 200 } },
          { name: 'ksefNumber', in: 'query', required: false, schema: { type: 'string', minLength: 1, maxLength: 40 }, example: '5265877635-20260101-0100001AF629-AF' },
        ],
        responses: {
          '200': {
            description: 'By erpDocumentId: the invoice with its history. By ksefNumber: the list (possibly empty), without histories.',
            content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/Invoice' }, { $ref: '#/components/schemas/InvoiceList' }] } } },
          },
          '400': error('Neither or both query parameters, or a malformed value', ['REQUEST_INVALID']),
          '401': error('Missing, unknown or revoked API key', ['UNAUTHENTICATED', 'UNKNOWN_TENANT']),
          '404': error('No invoice for this ERP document and tenant (erpDocumentId only)', ['INVOICE_NOT_FOUND']),
        },
      },
    },
    '/v1/invoices/{id}': {
      get: {
        operationId: 'getInvoice',
        summary: 'An invoice with its full history',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': { description: 'The invoice', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } } },
          '401': error('Missing, unknown or revoked API key', ['UNAUTHENTICATED', 'UNKNOWN_TENANT']),
          '404': error('No such invoice for this tenant', ['INVOICE_NOT_FOUND']),
        },
      },
    },
    '/v1/invoices/{id}/upo': {
      get: {
        operationId: 'getInvoiceUpo',
        summary: "The invoice's UPO (urzędowe poświadczenie odbioru, KSeF's official receipt) as KSeF issued it",
        description: 'Available once the invoice is ACCEPTED and KSeF issued the UPO (`upoAvailable` on the invoice). Header X-Content-SHA256: SHA-256 (hex) of the UTF-8 XML.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': {
            description: 'The UPO XML',
            headers: { 'X-Content-SHA256': { schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } } },
            content: { 'application/xml': { schema: { type: 'string' } } },
          },
          '401': error('Missing, unknown or revoked API key', ['UNAUTHENTICATED', 'UNKNOWN_TENANT']),
          '404': error('No such invoice for this tenant, or no UPO yet (details.state: the invoice state)', ['INVOICE_NOT_FOUND', 'UPO_NOT_AVAILABLE']),
        },
      },
    },
    ...Object.fromEntries(
      (['png', 'svg'] as const).map((format) => [
        `/v1/invoices/{id}/qr/kod-i.${format}`,
        {
          get: {
            operationId: `getInvoiceKodI${format === 'png' ? 'Png' : 'Svg'}`,
            summary: `KOD I, the KSeF verification QR code of the invoice, as ${format.toUpperCase()} with its caption (docs/qr-codes.md)`,
            description:
              'Link {qrBase}/invoice/{seller NIP}/{P_1 as DD-MM-YYYY}/{Base64URL SHA-256 of the stored XML}; caption: the KSeF number once known, else OFFLINE. ' +
              'Headers X-KSeF-QR-Url and X-KSeF-QR-Caption carry both as text.',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
              { name: 'environment', in: 'query', required: false, schema: { type: 'string', enum: ['test', 'demo', 'production'], default: 'production' }, description: 'KSeF environment of the QR host' },
              { name: 'scale', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 40, default: 5 }, description: 'Pixels per module' },
            ],
            responses: {
              '200': {
                description: 'The code',
                headers: { 'X-KSeF-QR-Url': { schema: { type: 'string' } }, 'X-KSeF-QR-Caption': { schema: { type: 'string' } } },
                content: { [format === 'png' ? 'image/png' : 'image/svg+xml']: { schema: { type: 'string', format: 'binary' } } },
              },
              '400': error('Unknown environment or a scale out of range', ['REQUEST_INVALID']),
              '401': error('Missing, unknown or revoked API key', ['UNAUTHENTICATED', 'UNKNOWN_TENANT']),
              '404': error('No such invoice for this tenant', ['INVOICE_NOT_FOUND']),
              '409': error('The invoice is INVALID, REJECTED or CANCELLED (it will never be in KSeF), or was issued in a total failure (no QR codes)', ['QR_CODE_NOT_AVAILABLE']),
              '422': error('The stored XML has no seller NIP (Podmiot1) or issue date (Fa/P_1)', ['QR_CODE_FACTS_MISSING']),
            },
          },
        },
      ]),
    ),
    ...KOD_II_OPENAPI_PATHS,
  },
  components: {
    securitySchemes: {
      bearerApiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key `ksb_…` (create-tenant command)' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    },
    schemas: {
      SubmitInvoice: {
        type: 'object',
        additionalProperties: false,
        required: ['erpDocumentId'],
        properties: {
          erpDocumentId: { type: 'string', minLength: 1, maxLength: 200, description: 'The ERP document id, unique per tenant' },
          xml: { type: 'string', description: 'The invoice XML as text (sent as UTF-8). Exactly one of xml / xmlBase64.' },
          xmlBase64: { type: 'string', contentEncoding: 'base64', description: 'The exact bytes of the invoice XML. Exactly one of xml / xmlBase64.' },
          metadata: { type: 'object', additionalProperties: { type: 'string', maxLength: 1000 }, maxProperties: 50 },
          offline: { $ref: '#/components/schemas/OfflineMarking' },
          technicalCorrectionOf: {
            type: 'string',
            format: 'uuid',
            description:
              "Technical correction (API.md §11): our id of this tenant's offline invoice that KSeF REJECTED. The correction inherits its offline marking (omit `offline`, or give the same one) and is sent with hashOfCorrectedInvoice = SHA-256 of the rejected file.",
          },
        },
      },
      OfflineMarking: {
        type: 'object',
        additionalProperties: false,
        required: ['mode'],
        description: 'The invoice was issued offline (API.md §11) and goes to KSeF later with offlineMode: true, by the legal deadline of its mode (docs/offline-mode.md).',
        properties: {
          mode: {
            type: 'string',
            enum: ['offline24', 'unavailability', 'failure', 'total-failure'],
            description: "offline24: the taxpayer's choice (deadline: next business day after P_1); unavailability / failure: announced by KSeF (deadline from the end of the period); total-failure: no obligation to send",
          },
          periodEndedAt: {
            type: 'string',
            format: 'date-time',
            description: 'End of the KSeF unavailability / failure when the ERP knows it (RFC 3339 with a zone). Not allowed with offline24. Returned as a UTC instant.',
          },
        },
      },
      InvoiceState: { type: 'string', enum: [...INVOICE_STATES], description: INVOICE_STATES.map((s) => `${s}: ${INVOICE_STATE_LABELS_PL[s]}`).join('; ') },
      Invoice: {
        type: 'object',
        required: ['id', 'erpDocumentId', 'state', 'stateLabelPl', 'contentSha256', 'sizeBytes', 'upoAvailable', 'metadata', 'createdAt', 'updatedAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          erpDocumentId: { type: 'string' },
          state: { $ref: '#/components/schemas/InvoiceState' },
          stateLabelPl: { type: 'string' },
          contentSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          sizeBytes: { type: 'integer' },
          contextNip: { type: 'string', description: 'Seller NIP (KSeF context), once validated' },
          invoiceNumber: { type: 'string', description: 'P_2, once validated' },
          ksefNumber: { type: 'string', description: 'KSeF number, once ACCEPTED (for a 440 duplicate: the original invoice\'s number)', examples: ['5265877635-20260101-0100001AF629-AF'] },
          ksefDuplicate: { type: 'boolean', const: true, description: 'Present (true) only when KSeF answered the send as a duplicate (440) and ksefNumber is the original\'s' },
          acquisitionDate: { type: 'string', format: 'date-time', description: 'KSeF acquisition date (data przyjęcia): the legal moment of issue' },
          upoAvailable: { type: 'boolean', description: 'Whether GET /v1/invoices/{id}/upo serves the UPO' },
          offline: { $ref: '#/components/schemas/OfflineMarking' },
          technicalCorrectionOf: { type: 'string', format: 'uuid', description: 'This invoice is a technical correction of that rejected offline invoice' },
          technicalCorrections: {
            type: 'array',
            description: 'Only on single-invoice reads, and only when there are any: the technical corrections submitted for this invoice',
            items: { type: 'object', required: ['id', 'erpDocumentId', 'state'], properties: { id: { type: 'string', format: 'uuid' }, erpDocumentId: { type: 'string' }, state: { $ref: '#/components/schemas/InvoiceState' } } },
          },
          traceId: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'W3C trace id of the intake request/message: open the invoice\'s trace in Jaeger (/trace/{traceId}); absent when tracing was off' },
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          history: { type: 'array', items: { $ref: '#/components/schemas/HistoryEntry' }, description: 'Only on GET /v1/invoices/{id}' },
        },
      },
      InvoiceList: {
        type: 'object',
        required: ['items'],
        properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Invoice' } } },
      },
      HistoryEntry: {
        type: 'object',
        required: ['at', 'to', 'toLabelPl', 'actor'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          from: { $ref: '#/components/schemas/InvoiceState' },
          to: { $ref: '#/components/schemas/InvoiceState' },
          toLabelPl: { type: 'string' },
          actor: { type: 'string', examples: ['intake:http', 'intake:kafka', 'validator', 'sender', 'status-poller'] },
          ksefReferenceNumber: { type: 'string' },
          ksefNumber: { type: 'string' },
          httpStatus: { type: 'integer' },
          errorCode: { type: 'string' },
          details: { description: 'Full error body or facts, e.g. every validation issue with code, messagePl, messageEn, xpath, line' },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } } } },
      },
    },
  },
} as const;
