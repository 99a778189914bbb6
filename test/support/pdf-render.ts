/**
 * A PDF as a reader sees it: pdf.js (the engine of Firefox's viewer) extracts each page's text and paints a page onto
 * a canvas, so a test can check that the chart is really drawn where a person would look, not only that drawing
 * commands exist in the file.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createCanvas } from '@napi-rs/canvas';

export interface RenderedPage {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Uint8ClampedArray;
  png: () => Buffer;
}

async function open(pdf: Buffer) {
  return getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
}

/** The text of every page, in reading order, spaces collapsed. */
export async function pdfPagesText(pdf: Buffer): Promise<string[]> {
  const doc = await open(pdf);
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' ').replace(/\s+/g, ' ').trim());
  }
  await doc.destroy();
  return pages;
}

/** Page `n` (from 1) painted at `scale` (1 = 72 dpi). */
export async function renderPdfPage(pdf: Buffer, n = 1, scale = 1.5): Promise<RenderedPage> {
  const doc = await open(pdf);
  const page = await doc.getPage(n);
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  await page.render({ canvasContext: context as never, canvas: canvas as never, viewport }).promise;
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  await doc.destroy();
  return { width: canvas.width, height: canvas.height, pixels: data, png: () => canvas.toBuffer('image/png') };
}

/** How many pixels are within `tolerance` (per channel) of a colour given as #rrggbb. */
export function countColour(page: RenderedPage, hex: string, tolerance = 40): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < page.pixels.length; i += 4) {
    if (Math.abs(page.pixels[i]! - r) <= tolerance && Math.abs(page.pixels[i + 1]! - g) <= tolerance && Math.abs(page.pixels[i + 2]! - b) <= tolerance) n++;
  }
  return n;
}

/** The bounding box of the pixels near a colour, or null when none are. */
export function colourBox(page: RenderedPage, hex: string, tolerance = 40): { top: number; bottom: number; left: number; right: number } | null {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let box: { top: number; bottom: number; left: number; right: number } | null = null;
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      const i = 4 * (y * page.width + x);
      if (Math.abs(page.pixels[i]! - r) > tolerance || Math.abs(page.pixels[i + 1]! - g) > tolerance || Math.abs(page.pixels[i + 2]! - b) > tolerance) continue;
      box = box ? { top: Math.min(box.top, y), bottom: Math.max(box.bottom, y), left: Math.min(box.left, x), right: Math.max(box.right, x) } : { top: y, bottom: y, left: x, right: x };
    }
  }
  return box;
}
