import { checkCaption, GLYPH_HEIGHT, GLYPH_WIDTH } from './caption-font';
import { qrMatrix, type ErrorCorrectionLevel, type QrMatrix } from './qr-matrix';

/** How a code is drawn; the same options give the same geometry in PNG and SVG. */
export interface QrImageOptions {
  /** Pixels per module. Default 5 (as in the official client's examples); 1–40. */
  scale?: number;
  /** Quiet zone around the symbol, in modules. Default 4, the minimum of ISO/IEC 18004; 0–16 (below 4 only when the page around it is white). */
  margin?: number;
  /** Text printed under the code (KSeF number, `OFFLINE`, `CERTYFIKAT`); none by default. */
  caption?: string;
  /** Default `M`. */
  errorCorrectionLevel?: ErrorCorrectionLevel;
}

export interface QrLayout {
  matrix: QrMatrix;
  scale: number;
  /** Image size in pixels. */
  width: number;
  height: number;
  /** Top-left pixel of module (0, 0). */
  symbolLeft: number;
  symbolTop: number;
  caption?: { text: string; /** Pixels per font dot. */ dot: number; left: number; top: number; width: number; height: number };
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer ${min}–${max}, got ${value}`);
  return value;
}

/**
 * Geometry of a code with an optional caption band: the symbol with its full quiet zone on top, the caption centred
 * below it (never inside the quiet zone, which scanners need). Caption dots are 2/5 of a module (14 px high text at
 * the default 5 px modules, the size the official client prints); a caption wider than the code widens the image.
 */
export function qrLayout(text: string, options: QrImageOptions = {}): QrLayout {
  const scale = integerIn('scale', options.scale ?? 5, 1, 40);
  const margin = integerIn('margin', options.margin ?? 4, 0, 16);
  if (options.caption !== undefined) checkCaption(options.caption);
  const matrix = qrMatrix(text, options.errorCorrectionLevel);
  const codeSide = (matrix.size + 2 * margin) * scale;
  if (!options.caption) {
    return { matrix, scale, width: codeSide, height: codeSide, symbolLeft: margin * scale, symbolTop: margin * scale };
  }
  const dot = Math.max(1, Math.round((scale * 2) / 5));
  const textWidth = (options.caption.length * (GLYPH_WIDTH + 1) - 1) * dot;
  const width = Math.max(codeSide, textWidth + 8 * dot);
  const codeLeft = Math.floor((width - codeSide) / 2);
  const textHeight = GLYPH_HEIGHT * dot;
  const top = codeSide + (margin === 0 ? 2 * dot : 0);
  return {
    matrix,
    scale,
    width,
    height: top + textHeight + Math.max(2 * dot, margin * scale),
    symbolLeft: codeLeft + margin * scale,
    symbolTop: margin * scale,
    caption: { text: options.caption, dot, left: Math.floor((width - textWidth) / 2), top, width: textWidth, height: textHeight },
  };
}
