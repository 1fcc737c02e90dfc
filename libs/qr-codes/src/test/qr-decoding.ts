import { DOMParser } from '@xmldom/xmldom';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { allGlyphs, GLYPH_WIDTH, qrLayout, type QrImageOptions } from '../index';

// Test helpers: read back what a renderer drew, through an independent QR decoder (jsQR), never through our encoder.

export interface Raster {
  width: number;
  height: number;
  /** RGBA. */
  data: Uint8ClampedArray;
}

export function readPng(png: Buffer): Raster {
  const image = PNG.sync.read(png);
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
}

/** The text of the QR code in a raster, or undefined when jsQR finds none. */
export function decodeRaster(raster: Raster): string | undefined {
  return jsQR(raster.data, raster.width, raster.height, { inversionAttempts: 'dontInvert' })?.data;
}

export function decodePng(png: Buffer): string | undefined {
  return decodeRaster(readPng(png));
}

/** Rasterises our SVG (white background, black `<rect>`s in the group) the way a browser would at 1 px per unit. */
export function rasterizeSvg(svg: string): { raster: Raster; caption?: string } {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement!;
  const width = Number(root.getAttribute('width'));
  const height = Number(root.getAttribute('height'));
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  const group = root.getElementsByTagName('g')[0]!;
  const rects = group.getElementsByTagName('rect');
  for (let i = 0; i < rects.length; i += 1) {
    const r = rects[i]!;
    const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((a) => Number(r.getAttribute(a))) as [number, number, number, number];
    for (let row = y; row < y + h; row += 1) for (let col = x; col < x + w; col += 1) data.fill(0, (row * width + col) * 4, (row * width + col) * 4 + 3);
  }
  const text = root.getElementsByTagName('text')[0];
  return { raster: { width, height, data }, caption: text?.textContent ?? undefined };
}

/** Reads the caption drawn into a PNG: each character cell of the layout compared with every glyph of the font. */
export function readPngCaption(png: Buffer, text: string, options: QrImageOptions): string {
  const raster = readPng(png);
  const caption = qrLayout(text, options).caption;
  if (!caption) return '';
  const dark = (x: number, y: number) => raster.data[(y * raster.width + x) * 4]! < 128;
  const count = Math.round((caption.width / caption.dot + 1) / (GLYPH_WIDTH + 1));
  let read = '';
  for (let i = 0; i < count; i += 1) {
    const left = caption.left + i * (GLYPH_WIDTH + 1) * caption.dot;
    const match = [...allGlyphs()].find(([, rows]) =>
      rows.every((bits, gy) => bits.every((ink, gx) => dark(left + gx * caption.dot + Math.floor(caption.dot / 2), caption.top + gy * caption.dot + Math.floor(caption.dot / 2)) === ink)),
    );
    read += match ? match[0] : '?';
  }
  return read;
}
