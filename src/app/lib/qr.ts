/**
 * QR codes for pairing, drawn by the page as one SVG path (no markup from a library is injected).
 * The encoder (uqr, ~10 KB) loads on first use: most visits never show a code.
 */
export interface QrCode {
  /** Modules a side, quiet zone included: the SVG's viewBox is `0 0 size size`. */
  size: number;
  /** One square per dark module. */
  path: string;
}

export async function qrCode(text: string): Promise<QrCode> {
  const { encode } = await import('uqr');
  const { size, data } = encode(text, { ecc: 'M', border: 2 });
  let path = '';
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return { size, path };
}
