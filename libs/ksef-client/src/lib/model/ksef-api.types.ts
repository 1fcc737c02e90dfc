/**
 * Request and response shapes of the KSeF 2.0 API we speak, written from `open-api.json` (names kept as in the spec).
 * Dates are ISO 8601 strings exactly as KSeF sends them; binary fields are standard Base64.
 */

export type ContextIdentifierType = 'Nip' | 'InternalId' | 'NipVatUe' | 'PeppolId';
export interface ContextIdentifier {
  type: ContextIdentifierType;
  value: string;
}

export interface StatusInfo {
  code: number;
  description: string;
  details?: string[] | null;
}

export interface InvoiceStatusInfo extends StatusInfo {
  extensions?: Record<string, string | null> | null;
}

export interface TokenInfo {
  token: string;
  validUntil: string;
}

export type PublicKeyCertificateUsage = 'KsefTokenEncryption' | 'SymmetricKeyEncryption';
export interface PublicKeyCertificate {
  /** DER, Base64. */
  certificate: string;
  certificateId: string;
  publicKeyId: string;
  validFrom: string;
  validTo: string;
  usage: PublicKeyCertificateUsage[];
}

export interface AuthenticationChallengeResponse {
  challenge: string;
  timestamp: string;
  timestampMs: number;
  clientIp: string;
}

export interface AllowedIps {
  ip4Addresses?: string[];
  ip4Ranges?: string[];
  ip4Masks?: string[];
}
export interface AuthorizationPolicy {
  allowedIps?: AllowedIps;
}

export interface InitTokenAuthenticationRequest {
  challenge: string;
  contextIdentifier: ContextIdentifier;
  encryptedToken: string;
  publicKeyId?: string;
  authorizationPolicy?: AuthorizationPolicy;
}

export interface AuthenticationInitResponse {
  referenceNumber: string;
  authenticationToken: TokenInfo;
}

export interface AuthenticationMethodInfo {
  category: 'XadesSignature' | 'NationalNode' | 'Token' | 'Other';
  code: string;
  displayName: string;
}

export interface AuthenticationOperationStatusResponse {
  startDate: string;
  authenticationMethod: string;
  authenticationMethodInfo?: AuthenticationMethodInfo;
  status: StatusInfo;
  isTokenRedeemed?: boolean;
  lastTokenRefreshDate?: string;
  refreshTokenValidUntil?: string;
}

export interface AuthenticationTokensResponse {
  accessToken: TokenInfo;
  refreshToken: TokenInfo;
}

export interface AuthenticationTokenRefreshResponse {
  accessToken: TokenInfo;
}

export interface FormCode {
  systemCode: string;
  schemaVersion: string;
  value: string;
}

export interface EncryptionInfo {
  encryptedSymmetricKey: string;
  initializationVector: string;
  publicKeyId?: string;
}

export interface OpenOnlineSessionRequest {
  formCode: FormCode;
  encryption: EncryptionInfo;
}
export interface OpenOnlineSessionResponse {
  referenceNumber: string;
  validUntil: string;
}

export interface SendInvoiceRequest {
  invoiceHash: string;
  invoiceSize: number;
  encryptedInvoiceHash: string;
  encryptedInvoiceSize: number;
  encryptedInvoiceContent: string;
  offlineMode?: boolean;
  hashOfCorrectedInvoice?: string;
}
export interface SendInvoiceResponse {
  referenceNumber: string;
}

export interface UpoPageResponse {
  referenceNumber: string;
  downloadUrl: string;
  downloadUrlExpirationDate: string;
}

export interface SessionStatusResponse {
  status: StatusInfo;
  dateCreated: string;
  dateUpdated: string;
  validUntil?: string | null;
  upo?: { pages: UpoPageResponse[] } | null;
  invoiceCount?: number | null;
  successfulInvoiceCount?: number | null;
  failedInvoiceCount?: number | null;
}

export type InvoicingMode = 'Online' | 'Offline';

export interface SessionInvoiceStatusResponse {
  ordinalNumber: number;
  invoiceNumber?: string | null;
  ksefNumber?: string | null;
  referenceNumber: string;
  invoiceHash: string;
  invoiceFileName?: string | null;
  acquisitionDate?: string | null;
  invoicingDate: string;
  permanentStorageDate?: string | null;
  upoDownloadUrl?: string | null;
  upoDownloadUrlExpirationDate?: string | null;
  invoicingMode?: InvoicingMode | null;
  status: InvoiceStatusInfo;
}

export interface SessionInvoicesResponse {
  continuationToken?: string | null;
  invoices: SessionInvoiceStatusResponse[];
}

export type CompressionType = 'Zip' | 'TarGz';

export interface BatchFilePartInfo {
  ordinalNumber: number;
  fileSize: number;
  fileHash: string;
}
export interface BatchFileInfo {
  fileSize: number;
  fileHash: string;
  compressionType?: CompressionType;
  fileParts: BatchFilePartInfo[];
}
export interface OpenBatchSessionRequest {
  formCode: FormCode;
  batchFile: BatchFileInfo;
  encryption: EncryptionInfo;
  offlineMode?: boolean;
}
export interface PartUploadRequest {
  ordinalNumber: number;
  method: string;
  url: string;
  headers: Record<string, string | null>;
}
export interface OpenBatchSessionResponse {
  referenceNumber: string;
  partUploadRequests: PartUploadRequest[];
}

export type InvoiceQuerySubjectType = 'Subject1' | 'Subject2' | 'Subject3' | 'SubjectAuthorized';
export type InvoiceQueryDateType = 'Issue' | 'Invoicing' | 'PermanentStorage';
export interface InvoiceQueryFilters {
  subjectType: InvoiceQuerySubjectType;
  dateRange: { dateType: InvoiceQueryDateType; from: string; to?: string; restrictToPermanentStorageHwmDate?: boolean };
  ksefNumber?: string;
  invoiceNumber?: string;
  amount?: { type: 'Brutto' | 'Netto' | 'Vat'; from?: number; to?: number };
  sellerNip?: string;
  buyerIdentifier?: { type: 'Nip' | 'VatUe' | 'Other' | 'None'; value?: string };
  currencyCodes?: string[];
  invoicingMode?: InvoicingMode;
  isSelfInvoicing?: boolean;
  formType?: 'FA' | 'PEF' | 'FA_RR';
  invoiceTypes?: string[];
  hasAttachment?: boolean;
}

export interface InvoiceMetadata {
  ksefNumber: string;
  invoiceNumber: string;
  issueDate: string;
  invoicingDate: string;
  acquisitionDate: string;
  permanentStorageDate: string;
  seller: { nip: string; name?: string | null };
  buyer: { identifier: { type: string; value?: string | null }; name?: string | null };
  netAmount: number;
  grossAmount: number;
  vatAmount: number;
  currency: string;
  invoicingMode: InvoicingMode;
  invoiceType: string;
  formCode: FormCode;
  isSelfInvoicing: boolean;
  hasAttachment: boolean;
  invoiceHash: string;
  hashOfCorrectedInvoice?: string | null;
  [extra: string]: unknown;
}

export interface QueryInvoicesMetadataResponse {
  hasMore: boolean;
  isTruncated: boolean;
  permanentStorageHwmDate?: string | null;
  invoices: InvoiceMetadata[];
}

export interface SessionLimits {
  maxInvoiceSizeInMB: number;
  maxInvoiceWithAttachmentSizeInMB: number;
  maxInvoices: number;
}
export interface EffectiveContextLimits {
  onlineSession: SessionLimits;
  batchSession: SessionLimits;
}

export interface RateLimitValues {
  perSecond: number;
  perMinute: number;
  perHour: number;
}

/** Form codes KSeF accepts for FA invoices (TE accepts FA (2) as well). */
export const FORM_CODES = {
  FA3: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' },
  FA2: { systemCode: 'FA (2)', schemaVersion: '1-0E', value: 'FA' },
} as const satisfies Record<string, FormCode>;
