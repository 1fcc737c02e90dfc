/** OpenAPI paths of KOD II (spread into INTAKE_OPENAPI). */
const error = (description: string, codes: string[]) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code: codes[0], message: '…' } } } },
  'x-error-codes': codes,
});

const KOD_II_LINK_SCHEMA = {
  type: 'object',
  required: ['url', 'caption', 'certificateSerial', 'algorithm', 'certificateValidTo'],
  properties: {
    url: { type: 'string', format: 'uri', description: '{qrBase}/certificate/Nip/{context NIP}/{seller NIP}/{certificate serial}/{Base64URL SHA-256}/{signature}' },
    caption: { type: 'string', const: 'CERTYFIKAT' },
    certificateSerial: { type: 'string', description: 'Serial of the Offline certificate (upper-case hex)' },
    algorithm: { type: 'string', enum: ['RSASSA-PSS', 'ECDSA-P256'] },
    certificateValidTo: { type: 'string', format: 'date-time' },
  },
};

const CONTENT = {
  png: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
  svg: { 'image/svg+xml': { schema: { type: 'string', format: 'binary' } } },
  json: { 'application/json': { schema: KOD_II_LINK_SCHEMA } },
};

const operation = (operationId: string, summary: string, content: Record<string, unknown>, negotiated: boolean) => ({
  get: {
    operationId,
    summary,
    description:
      'Only for invoices marked offline (not total-failure). The link is signed by the sender with the KSeF certificate of type Offline registered for the ' +
      "invoice's context (sender register-offline-certificate); caption CERTYFIKAT. Headers X-KSeF-QR-Url and X-KSeF-QR-Caption carry both as text." +
      (negotiated ? ' Format by Accept: image/svg+xml, application/json, else image/png.' : ''),
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
      { name: 'environment', in: 'query', required: false, schema: { type: 'string', enum: ['test', 'demo', 'production'], default: 'production' }, description: 'KSeF environment of the QR host' },
      { name: 'scale', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 40, default: 5 }, description: 'Pixels per module (images)' },
    ],
    responses: {
      '200': { description: 'The code', headers: { 'X-KSeF-QR-Url': { schema: { type: 'string' } }, 'X-KSeF-QR-Caption': { schema: { type: 'string' } } }, content },
      '400': error('Unknown environment or a scale out of range', ['REQUEST_INVALID']),
      '401': error('Missing, unknown or revoked API key', ['UNAUTHENTICATED', 'UNKNOWN_TENANT']),
      '404': error('No such invoice for this tenant', ['INVOICE_NOT_FOUND']),
      '409': error(
        'No KOD II: the invoice was not issued offline, was issued in a total failure, is INVALID/REJECTED/CANCELLED, or its context has no valid Offline certificate in the sender',
        ['KOD_II_NOT_APPLICABLE', 'QR_CODE_NOT_AVAILABLE', 'OFFLINE_CERTIFICATE_MISSING', 'OFFLINE_CERTIFICATE_EXPIRED', 'OFFLINE_CERTIFICATE_NOT_YET_VALID', 'KSEF_CONTEXT_UNKNOWN'],
      ),
      '422': error('The stored XML has no seller NIP (Podmiot1) or issue date (Fa/P_1)', ['QR_CODE_FACTS_MISSING']),
      '503': error('The sender, which signs KOD II, is unreachable or failed: retry later', ['KOD_II_SIGNER_UNAVAILABLE']),
    },
  },
});

export const KOD_II_OPENAPI_PATHS = {
  '/v1/invoices/{id}/qr/kod-ii': operation('getInvoiceKodII', 'KOD II (offline invoices), PNG by default, SVG or the JSON link by Accept', { ...CONTENT.png, ...CONTENT.svg, ...CONTENT.json }, true),
  '/v1/invoices/{id}/qr/kod-ii.png': operation('getInvoiceKodIIPng', 'KOD II (offline invoices) as PNG with its caption', CONTENT.png, false),
  '/v1/invoices/{id}/qr/kod-ii.svg': operation('getInvoiceKodIISvg', 'KOD II (offline invoices) as SVG with its caption', CONTENT.svg, false),
  '/v1/invoices/{id}/qr/kod-ii.json': operation('getInvoiceKodIIJson', 'KOD II (offline invoices): the signed link as JSON', CONTENT.json, false),
};
