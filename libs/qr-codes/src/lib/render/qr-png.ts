import { PNG } from 'pngjs';
import { glyph, GLYPH_WIDTH } from './caption-font';
import { qrLayout, type QrImageOptions } from './qr-layout';

/** A QR code (and its caption) as a greyscale PNG: black modules on white, crisp pixels, no anti-aliasing. */
export function renderQrPng(text: string, options: QrImageOptions = {}): Buffer {
  const layout = qrLayout(text, options);
  const png = new PNG({ width: layout.width, height: layout.height, colorType: 0, inputColorType: 6, inputHasAlpha: true });
  png.data.fill(255);
  const paint = (x: number, y: number, w: number, h: number) => {
    for (let row = y; row < y + h; row += 1) {
      for (let col = x; col < x + w; col += 1) {
        const i = (row * layout.width + col) * 4;
        png.data[i] = 0;
        png.data[i + 1] = 0;
        png.data[i + 2] = 0;
      }
    }
  };
  const { matrix, scale } = layout;
  for (let r = 0; r < matrix.size; r += 1) {
    for (let c = 0; c < matrix.size; c += 1) {
      if (matrix.isDark(r, c)) paint(layout.symbolLeft + c * scale, layout.symbolTop + r * scale, scale, scale);
    }
  }
  const caption = layout.caption;
  if (caption) {
    [...caption.text].forEach((ch, index) => {
      const left = caption.left + index * (GLYPH_WIDTH + 1) * caption.dot;
      glyph(ch).forEach((bits, gy) =>
        bits.forEach((ink, gx) => {
          if (ink) paint(left + gx * caption.dot, caption.top + gy * caption.dot, caption.dot, caption.dot);
        }),
      );
    });
  }
  return PNG.sync.write(png, { colorType: 0, inputColorType: 6, inputHasAlpha: true });
}
