import QRCode from 'qrcode';

/** QR error-correction levels of ISO/IEC 18004. */
export type ErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H';

/**
 * Level M (15 % of the code may be damaged): the official KSeF client libraries generate KOD I and KOD II at M, and the
 * official docs fix no other level; M keeps a ~110-character KOD I link at version 7 and a ~470-character KOD II link
 * readable on a printout.
 */
export const DEFAULT_ERROR_CORRECTION_LEVEL: ErrorCorrectionLevel = 'M';

export interface QrMatrix {
  /** Modules per side. */
  size: number;
  version: number;
  errorCorrectionLevel: ErrorCorrectionLevel;
  isDark(row: number, column: number): boolean;
}

/** Encodes `text` as an ISO/IEC 18004 QR symbol (the `qrcode` package picks the version, segments and mask). */
export function qrMatrix(text: string, errorCorrectionLevel: ErrorCorrectionLevel = DEFAULT_ERROR_CORRECTION_LEVEL): QrMatrix {
  if (text.length === 0) throw new RangeError('a QR code needs some text');
  const code = QRCode.create(text, { errorCorrectionLevel });
  const { size, data } = code.modules;
  return {
    size,
    version: code.version,
    errorCorrectionLevel,
    isDark: (row, column) => data[row * size + column] === 1,
  };
}
