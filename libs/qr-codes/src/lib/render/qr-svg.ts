import { qrLayout, type QrImageOptions } from './qr-layout';

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * A QR code as SVG with the same geometry as the PNG: one `<rect>` per horizontal run of dark modules (scales without
 * blur when printed) and the caption as real text, centred under the code.
 */
export function renderQrSvg(text: string, options: QrImageOptions = {}): string {
  const layout = qrLayout(text, options);
  const { matrix, scale } = layout;
  const rects: string[] = [];
  for (let r = 0; r < matrix.size; r += 1) {
    for (let c = 0; c < matrix.size; ) {
      if (!matrix.isDark(r, c)) {
        c += 1;
        continue;
      }
      const start = c;
      while (c < matrix.size && matrix.isDark(r, c)) c += 1;
      rects.push(`<rect x="${layout.symbolLeft + start * scale}" y="${layout.symbolTop + r * scale}" width="${(c - start) * scale}" height="${scale}"/>`);
    }
  }
  const caption = layout.caption;
  const label = caption
    ? `<text x="${layout.width / 2}" y="${caption.top + caption.height}" font-family="Arial, Helvetica, sans-serif" font-size="${caption.height}" text-anchor="middle" fill="#000">${escapeXml(caption.text)}</text>`
    : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" shape-rendering="crispEdges">` +
    `<rect width="${layout.width}" height="${layout.height}" fill="#fff"/><g fill="#000">${rects.join('')}</g>${label}</svg>`
  );
}
