import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PANEL_SETTINGS, type PanelSettings } from '../panel.settings';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** Vite's hashed asset names; anything else (`..`, slashes) is not a file of ours. */
const ASSET = /^[A-Za-z0-9._-]+$/;

/** Same-origin only: no inline scripts, no framing, no sniffing. */
function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}

/** Serves the React SPA built by Vite (hash routing: only `/` and `/assets/*` exist). */
@Controller()
export class SpaController {
  constructor(@Inject(PANEL_SETTINGS) private readonly settings: PanelSettings) {}

  @Get()
  async index(@Res() reply: FastifyReply): Promise<void> {
    const html = await readFile(join(this.settings.webDir, 'index.html')).catch(() => undefined);
    if (!html) {
      await reply.status(503).type('text/plain').send('The panel SPA is not built: npx nx build panel');
      return;
    }
    await secure(reply).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const body = ASSET.test(file) ? await readFile(join(this.settings.webDir, 'assets', file)).catch(() => undefined) : undefined;
    if (!body) {
      await reply.status(404).type('text/plain').send('not found');
      return;
    }
    await secure(reply).header('cache-control', 'public, max-age=31536000, immutable').type(TYPES[extname(file)] ?? 'application/octet-stream').send(body);
  }
}
