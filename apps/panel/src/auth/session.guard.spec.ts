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
});
