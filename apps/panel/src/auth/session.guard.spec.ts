import type { FastifyRequest } from 'fastify';
import { PanelHttpError } from '../http/panel-error.filter';
import { checkCsrf, cookieValue } from './session.guard';

const request = (method: string, headers: Record<string, string> = {}) => ({ method, headers }) as unknown as FastifyRequest;

describe('session cookie', () => {
  it('finds the named cookie among others', () => {
    expect(cookieValue('a=1; ksef_panel_session=abc-DEF_1; b=2', 'ksef_panel_session')).toBe('abc-DEF_1');
    expect(cookieValue('xksef_panel_session=zzz', 'ksef_panel_session')).toBeUndefined();
    expect(cookieValue(undefined, 'ksef_panel_session')).toBeUndefined();
  });
});

const codeOf = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return ((error as PanelHttpError).getResponse() as { error: { code: string } }).error.code;
  }
  return 'none';
};

describe('CSRF check', () => {
  it('lets reads through without the header', () => {
    expect(() => checkCsrf(request('GET'))).not.toThrow();
  });

  it('refuses a mutation without the panel header (a cross-site form cannot send one)', () => {
    expect(() => checkCsrf(request('POST'))).toThrow(PanelHttpError);
    try {
      checkCsrf(request('DELETE'));
    } catch (error) {
      expect((error as PanelHttpError).getStatus()).toBe(403);
      expect((error as PanelHttpError).getResponse()).toMatchObject({ error: { code: 'CSRF_HEADER_MISSING' } });
    }
    expect(() => checkCsrf(request('POST', { 'x-panel-request': '0' }))).toThrow();
    expect(() => checkCsrf(request('POST', { 'x-panel-request': '1' }))).not.toThrow();
  });

  it('refuses a mutation from another origin even with the header; the own origin passes', () => {
    const own = { 'x-panel-request': '1', host: 'panel.example:3006' };
    expect(() => checkCsrf(request('POST', { ...own, origin: 'http://panel.example:3006' }))).not.toThrow();
    for (const origin of ['https://evil.example', 'http://panel.example:3007', 'null', 'not a url']) {
      expect(codeOf(() => checkCsrf(request('POST', { ...own, origin })))).toBe('CSRF_ORIGIN_MISMATCH');
    }
    expect(codeOf(() => checkCsrf(request('POST', { ...own, 'sec-fetch-site': 'cross-site' })))).toBe('CSRF_ORIGIN_MISMATCH');
    expect(codeOf(() => checkCsrf(request('POST', { ...own, 'content-type': 'application/x-www-form-urlencoded' })))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(() => checkCsrf(request('POST', { ...own, 'content-type': 'application/json; charset=utf-8' }))).not.toThrow();
    expect(() => checkCsrf(request('POST', { ...own, 'sec-fetch-site': 'same-origin' }))).not.toThrow();
  });
});
