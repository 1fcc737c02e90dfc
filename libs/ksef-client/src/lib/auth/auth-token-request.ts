import type { AuthorizationPolicy, ContextIdentifier } from '../model/ksef-api.types';

/** Namespace of `AuthTokenRequest` v2.0, the one SDKs send today (v2.1 is also accepted by KSeF). */
export const AUTH_TOKEN_REQUEST_NAMESPACE = 'http://ksef.mf.gov.pl/auth/token/2.0';

export interface AuthTokenRequestInput {
  challenge: string;
  contextIdentifier: ContextIdentifier;
  /** How KSeF reads the subject from the certificate. Default `certificateSubject`. */
  subjectIdentifierType?: 'certificateSubject' | 'certificateFingerprint';
  authorizationPolicy?: AuthorizationPolicy;
  namespace?: string;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The unsigned `AuthTokenRequest` XML (schemat_auth_v2-0.xsd element order). */
export function buildAuthTokenRequestXml(input: AuthTokenRequestInput): string {
  const ns = input.namespace ?? AUTH_TOKEN_REQUEST_NAMESPACE;
  const ctx = input.contextIdentifier;
  const ips = input.authorizationPolicy?.allowedIps;
  const policy = ips
    ? '<AuthorizationPolicy><AllowedIps>' +
      (ips.ip4Addresses ?? []).map((ip) => `<Ip4Address>${escapeXml(ip)}</Ip4Address>`).join('') +
      (ips.ip4Ranges ?? []).map((ip) => `<Ip4Range>${escapeXml(ip)}</Ip4Range>`).join('') +
      (ips.ip4Masks ?? []).map((ip) => `<Ip4Mask>${escapeXml(ip)}</Ip4Mask>`).join('') +
      '</AllowedIps></AuthorizationPolicy>'
    : '';
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<AuthTokenRequest xmlns="${escapeXml(ns)}">` +
    `<Challenge>${escapeXml(input.challenge)}</Challenge>` +
    `<ContextIdentifier><${ctx.type}>${escapeXml(ctx.value)}</${ctx.type}></ContextIdentifier>` +
    `<SubjectIdentifierType>${input.subjectIdentifierType ?? 'certificateSubject'}</SubjectIdentifierType>` +
    policy +
    `</AuthTokenRequest>`
  );
}
