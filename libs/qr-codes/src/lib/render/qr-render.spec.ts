import { decodePng, decodeRaster, rasterizeSvg, readPng, readPngCaption } from '../../test/qr-decoding';
import { qrLayout } from './qr-layout';
import { renderQrPng } from './qr-png';
import { renderQrSvg } from './qr-svg';

const KOD_I = 'https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE';
// As long as a KOD II link with an RSA-2048 signature (≈ 470 characters).
const LONG = `https://qr.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/${'A1b2_C3d4-'.repeat(34)}`;

describe('QR rendering', () => {
  it.each([
    ['a KOD I link', KOD_I, {}],
    ['a KOD I link at 2 px per module', KOD_I, { scale: 2 }],
    ['a KOD II-sized link', LONG, { scale: 4 }],
    ['a link with a caption', KOD_I, { caption: 'OFFLINE' }],
  ])('PNG of %s decodes to the exact text', (_what, text, options) => {
    expect(decodePng(renderQrPng(text, options))).toBe(text);
  });

  it('PNG has the documented geometry: 5 px modules and a 4-module quiet zone, error correction M', () => {
    const layout = qrLayout(KOD_I);
    const png = readPng(renderQrPng(KOD_I));
    expect(layout.matrix.errorCorrectionLevel).toBe('M');
    expect(png.width).toBe((layout.matrix.size + 8) * 5);
    expect(png.height).toBe(png.width);
    // The quiet zone is white all round; the top-left finder pattern starts right after it.
    const dark = (x: number, y: number) => png.data[(y * png.width + x) * 4]! < 128;
    for (let x = 0; x < png.width; x += 1) expect(dark(x, 19)).toBe(false);
    expect(dark(20, 20)).toBe(true);
  });

  it.each(['OFFLINE', 'CERTYFIKAT', '5265877635-20250826-0100001AF629-AF'])('draws the caption %s under the code, readable back', (caption) => {
    const png = renderQrPng(KOD_I, { caption });
    expect(readPngCaption(png, KOD_I, { caption })).toBe(caption);
    expect(decodePng(png)).toBe(KOD_I);
    const plain = readPng(renderQrPng(KOD_I));
    expect(readPng(png).height).toBeGreaterThan(plain.height);
  });

  it('a caption wider than the code widens the image and keeps the code centred and readable', () => {
    const caption = '5265877635-20250826-0100001AF629-AF';
    const png = readPng(renderQrPng(KOD_I, { caption, scale: 2 }));
    expect(png.width).toBeGreaterThan(qrLayout(KOD_I, { scale: 2 }).width);
    expect(decodeRaster(png)).toBe(KOD_I);
  });

  it('SVG has the same geometry, decodes to the exact text and carries the caption as text', () => {
    const svg = renderQrSvg(KOD_I, { caption: 'OFFLINE' });
    const { raster, caption } = rasterizeSvg(svg);
    const layout = qrLayout(KOD_I, { caption: 'OFFLINE' });
    expect([raster.width, raster.height]).toEqual([layout.width, layout.height]);
    expect(decodeRaster(raster)).toBe(KOD_I);
    expect(caption).toBe('OFFLINE');
    expect(decodeRaster(rasterizeSvg(renderQrSvg(LONG, { scale: 3 })).raster)).toBe(LONG);
  });

  it('refuses what it cannot draw', () => {
    expect(() => renderQrPng('')).toThrow(RangeError);
    expect(() => renderQrPng(KOD_I, { caption: 'offline' })).toThrow(/caption may contain only/);
    expect(() => renderQrSvg(KOD_I, { caption: '<script>' })).toThrow(RangeError);
    expect(() => renderQrPng(KOD_I, { scale: 0 })).toThrow(/scale/);
    expect(() => renderQrPng(KOD_I, { margin: 2.5 })).toThrow(/margin/);
    expect(() => renderQrPng('x'.repeat(3000))).toThrow();
  });
});
