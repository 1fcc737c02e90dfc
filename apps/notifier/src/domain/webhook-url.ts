import { isIP } from 'node:net';
import { ValidationError } from '@ksef-bridge/errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** IPv4/IPv6 literals of loopback, private, link-local (cloud metadata at 169.254.169.254) and unspecified ranges. */
function isInternalAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(bare) === 4) {
    const [a, b] = bare.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(bare) === 6) return bare === '::1' || bare === '::' || bare.startsWith('fc') || bare.startsWith('fd') || bare.startsWith('fe80') || bare.startsWith('::ffff:');
  return false;
}

/**
 * The SSRF guard on tenant-supplied URLs, applied at registration and again before every POST. Production: https
 * only, no IP literals of internal ranges, no `localhost`. Development: https anywhere, http only to loopback (local
 * receivers). Never credentials in the URL. Hostnames that RESOLVE to internal addresses are not caught here (DNS can
 * change after the check): production deployments must also restrict the notifier's egress (docs/notifier.md).
 */
export function checkWebhookUrl(raw: string, production: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`webhook URL '${raw}' is not an absolute URL`);
  }
  if (url.username || url.password) throw new ValidationError('webhook URL must not carry credentials');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError(`webhook URL must be https (got ${url.protocol})`);
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\./.test(url.hostname);
  if (production) {
    if (url.protocol !== 'https:') throw new ValidationError('webhook URL must be https in production (NODE_ENV=production)');
    if (loopback || isInternalAddress(url.hostname)) throw new ValidationError(`webhook URL host ${url.hostname} is an internal address, refused in production`);
  } else if (url.protocol === 'http:' && !loopback) {
    throw new ValidationError('plain http webhooks are allowed only to localhost in development; use https');
  }
  url.hash = '';
  return url;
}
