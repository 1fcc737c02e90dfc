// KSeF verification QR codes (issue #7): KOD I on every invoice, KOD II (signed with the tenant's Offline certificate)
// on invoices issued offline, rendered as PNG or SVG with their caption. Docs: docs/qr-codes.md.
// KOD I's link itself is the KSeF client's `buildKodIUrl` (re-used, not duplicated).

/** Rendering: ISO/IEC 18004 via the `qrcode` package, error correction M, 5 px modules, 4-module quiet zone. */
export { renderQrPng } from './lib/render/qr-png';
export { renderQrSvg } from './lib/render/qr-svg';
export { qrLayout } from './lib/render/qr-layout';
export type { QrImageOptions, QrLayout } from './lib/render/qr-layout';
export { qrMatrix, DEFAULT_ERROR_CORRECTION_LEVEL } from './lib/render/qr-matrix';
export type { QrMatrix, ErrorCorrectionLevel } from './lib/render/qr-matrix';
export { CAPTION_CHARACTERS, GLYPH_WIDTH, GLYPH_HEIGHT, allGlyphs } from './lib/render/caption-font';

/** KOD I: link and caption (KSeF number, or OFFLINE). */
export { kodICode, KOD_I_OFFLINE_CAPTION } from './lib/kod-i';
export type { KodICodeOptions, VerificationCode } from './lib/kod-i';
export { invoiceQrFacts } from './lib/invoice-qr-facts';
export type { InvoiceQrFacts } from './lib/invoice-qr-facts';

/** KOD II: signed link (RSASSA-PSS or ECDSA P-256), caption CERTYFIKAT, verification. */
export { buildKodIIUrl, kodIICode, verifyKodIIUrl, KOD_II_CAPTION } from './lib/kod-ii/kod-ii';
export type { KodIIOptions, KodIIVerification } from './lib/kod-ii/kod-ii';
export { parseKodIIUrl, KSEF_CONTEXT_TYPES } from './lib/kod-ii/kod-ii-url';
export type { KodIIParts, KsefContextType } from './lib/kod-ii/kod-ii-url';
export type { CertificateInput, PrivateKeyInput, SigningAlgorithm } from './lib/kod-ii/kod-ii-keys';
/** The checks `buildKodIIUrl` makes, for services that validate an Offline certificate before storing it. */
export { toCertificate, toPrivateKey, signingAlgorithmOf, keyMatchesCertificate } from './lib/kod-ii/kod-ii-keys';
