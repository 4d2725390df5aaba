/**
 * The CJK font a certificate PDF is set in: a system font from a Debian package, read once and
 * embedded by pdfkit as a subset (only the glyphs the certificate uses), so a PDF stays a few
 * kilobytes whatever the font's size. Names vary, so no pre-cut subset could cover them; the
 * full font is read from the operating system rather than committed (5 MB to 20 MB).
 * See docs/certificates.md for the choice.
 */
import { readFile } from 'node:fs/promises';

export interface CertificateFont {
  readonly file: string;
  /** The face inside a TrueType collection (.ttc); pdfkit picks it by PostScript name. */
  readonly face: string;
  readonly bytes: Buffer;
}

/** In order of preference; the first one present is used. */
export const CERTIFICATE_FONT_CANDIDATES = [
  // Debian fonts-wqy-microhei (Apache-2.0 or GPL-3 with the font exception): what .ci/run installs.
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
  // Debian fonts-noto-cjk (SIL OFL 1.1).
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
] as const;

let loaded: Promise<CertificateFont> | null = null;

async function firstPresent(): Promise<CertificateFont> {
  for (const candidate of CERTIFICATE_FONT_CANDIDATES) {
    try {
      return { ...candidate, bytes: await readFile(candidate.file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(
    `no CJK font for certificate PDFs: install the Debian package fonts-wqy-microhei or fonts-noto-cjk ` +
      `(looked for ${CERTIFICATE_FONT_CANDIDATES.map((candidate) => candidate.file).join(', ')})`,
  );
}

/** The font, read on first use and kept; a failed read is retried by the next request. */
export function certificateFont(): Promise<CertificateFont> {
  loaded ??= firstPresent().catch((error: unknown) => {
    loaded = null;
    throw error;
  });
  return loaded;
}
