/**
 * A 5×7 bitmap font for captions under a code, so a PNG needs no font files or native canvas on the server. It covers
 * what KSeF captions contain: KSeF numbers (digits, upper-case hex, '-'), `OFFLINE` and `CERTYFIKAT`, plus a few
 * separators. Each glyph is 7 rows of 5 columns, '1' = ink.
 */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

const GLYPHS: Record<string, string> = {
  '0': '01110 10001 10011 10101 11001 10001 01110',
  '1': '00100 01100 00100 00100 00100 00100 01110',
  '2': '01110 10001 00001 00010 00100 01000 11111',
  '3': '11111 00010 00100 00010 00001 10001 01110',
  '4': '00010 00110 01010 10010 11111 00010 00010',
  '5': '11111 10000 11110 00001 00001 10001 01110',
  '6': '00110 01000 10000 11110 10001 10001 01110',
  '7': '11111 00001 00010 00100 01000 01000 01000',
  '8': '01110 10001 10001 01110 10001 10001 01110',
  '9': '01110 10001 10001 01111 00001 00010 01100',
  A: '01110 10001 10001 10001 11111 10001 10001',
  B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110',
  D: '11100 10010 10001 10001 10001 10010 11100',
  E: '11111 10000 10000 11110 10000 10000 11111',
  F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111',
  H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110',
  J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001',
  L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110',
  P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101',
  R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110',
  V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010',
  X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 10001 01010 00100 00100 00100',
  Z: '11111 00001 00010 00100 01000 10000 11111',
  '-': '00000 00000 00000 11111 00000 00000 00000',
  '.': '00000 00000 00000 00000 00000 01100 01100',
  '/': '00000 00001 00010 00100 01000 10000 00000',
  ' ': '00000 00000 00000 00000 00000 00000 00000',
};

/** Characters a caption may contain. */
export const CAPTION_CHARACTERS = Object.keys(GLYPHS).join('');

const ROWS = new Map(Object.entries(GLYPHS).map(([ch, rows]) => [ch, rows.split(' ').map((r) => [...r].map((bit) => bit === '1'))]));

/** Ink of one glyph as [row][column]. */
export function glyph(character: string): boolean[][] {
  const rows = ROWS.get(character);
  if (!rows) throw new RangeError(`a caption may contain only ${JSON.stringify(CAPTION_CHARACTERS)}, not ${JSON.stringify(character)}`);
  return rows;
}

/** Refuses a caption the font cannot draw, before anything is rendered. */
export function checkCaption(caption: string): void {
  if (caption.length > 64) throw new RangeError('a caption may have at most 64 characters');
  for (const ch of caption) glyph(ch);
}

/** Every glyph, for readers of rendered captions (tests). */
export function allGlyphs(): ReadonlyMap<string, boolean[][]> {
  return ROWS;
}
