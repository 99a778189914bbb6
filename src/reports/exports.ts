/**
 * The report's tables as CSV, XLSX and PDF (with the progress graph). All three write the same tables (present.ts).
 */
import { pdfBuffer } from '../platform/pdf.ts';
import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import PdfPrinter from 'pdfmake';
import type { Content, TableCell } from 'pdfmake/interfaces.js';
import { stringify } from 'csv-stringify/sync';
import { SUPPRESSION_NOTE, type Cell, type Table } from './present.ts';

export interface ExportMeta {
  title: string;
  subtitle: string;
  suppressed: boolean;
}

const NUMBER = /^-?\d+(\.\d+)?$/;
/**
 * Text a spreadsheet would run as a formula (starting = + - @, tab or carriage return) gets a leading apostrophe, so it
 * is shown as typed. Plain numbers (a negative amount) are left alone: no spreadsheet runs "-12.50".
 */
export function safeCsvValue(v: string): string {
  return /^[=+\-@\t\r]/.test(v) && !NUMBER.test(v) ? `'${v}` : v;
}

/** Numbers as numbers: pounds to 2 places, percentages and hours to 1, counts whole. */
const csvCell = (c: Cell): string => (c.value === null ? c.text : c.money ? (c.value / 100).toFixed(2) : Number.isInteger(c.value) && !c.percent && !c.decimal ? String(c.value) : c.value.toFixed(1));

/** The tables one after another, each under its title, with a blank line between. */
export function toCsv(meta: ExportMeta, tables: Table[]): string {
  const lines: string[][] = [[meta.title], [meta.subtitle]];
  if (meta.suppressed) lines.push([SUPPRESSION_NOTE]);
  lines.push(['Money in pounds; percentages to one decimal place.'], []);
  for (const t of tables) lines.push([t.title], t.head, ...t.rows.map((r) => r.map(csvCell)), []);
  return stringify(lines.map((l) => l.map((v) => safeCsvValue(v))), { quoted_match: /[",\n\r]/ });
}

/** One worksheet per table; numbers stay numbers (money in pounds with a £ format), withheld counts are "*". */
export async function toXlsx(meta: ExportMeta, tables: Table[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Homeward';
  const about = wb.addWorksheet('About');
  for (const line of [meta.title, meta.subtitle, ...(meta.suppressed ? [SUPPRESSION_NOTE] : [])]) about.addRow([line]);
  const used = new Set<string>(['About']);
  for (const t of tables) {
    let name = t.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 28).trim();
    for (let i = 2; used.has(name); i++) name = `${name.slice(0, 26)} ${i}`;
    used.add(name);
    const ws = wb.addWorksheet(name);
    ws.addRow([t.title]).font = { bold: true };
    ws.addRow(t.head).font = { bold: true };
    for (const r of t.rows) {
      const row = ws.addRow(r.map((c) => (c.value === null ? c.text : c.money ? c.value / 100 : c.value)));
      r.forEach((c, i) => {
        if (c.value === null) return;
        if (c.money) row.getCell(i + 1).numFmt = '"£"#,##0.00;[Red]-"£"#,##0.00';
        else if (c.percent) row.getCell(i + 1).numFmt = '0.0"%"';
      });
    }
    ws.columns.forEach((col, i) => (col.width = i === 0 ? 40 : 16));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// Roboto from pdfmake's own package (as the GP letters): it prints every name correctly and nothing is downloaded.
const require = createRequire(import.meta.url);
const vfs = require('pdfmake/build/vfs_fonts.js') as Record<string, string>;
const font = (name: string) => Buffer.from(vfs[name]!, 'base64');
const printer = new PdfPrinter({ Roboto: { normal: font('Roboto-Regular.ttf'), bold: font('Roboto-Medium.ttf'), italics: font('Roboto-Italic.ttf'), bolditalics: font('Roboto-MediumItalic.ttf') } });

/** A landscape A4 PDF: title, the progress graph (SVG) and every table; uncompressed so its text can be checked. */
export function toPdf(meta: ExportMeta, tables: Table[], chartSvg: string): Promise<Buffer> {
  const table = (t: Table): Content[] => [
    { text: t.title, style: 'h2' },
    {
      table: { headerRows: 1, body: [t.head.map((h): TableCell => ({ text: h, bold: true })), ...t.rows.map((r) => r.map((c): TableCell => ({ text: c.text, alignment: c.value === null ? 'left' : 'right' })))] },
      layout: 'lightHorizontalLines',
      fontSize: t.head.length > 9 ? 6.5 : 8,
      margin: [0, 0, 0, 10],
    },
  ];
  const doc = printer.createPdfKitDocument({
    pageOrientation: 'landscape',
    pageSize: 'A4',
    pageMargins: [28, 28, 28, 28],
    info: { title: meta.title, author: 'Homeward' },
    defaultStyle: { font: 'Roboto', fontSize: 9 },
    content: [
      { text: meta.title, style: 'h1' },
      { text: meta.subtitle, margin: [0, 0, 0, 6] },
      ...(meta.suppressed ? [{ text: SUPPRESSION_NOTE, italics: true, margin: [0, 0, 0, 6] as [number, number, number, number] }] : []),
      { svg: chartSvg, width: 620 },
      ...tables.flatMap(table),
    ],
    styles: { h1: { fontSize: 15, bold: true, margin: [0, 0, 0, 4] }, h2: { fontSize: 11, bold: true, margin: [0, 6, 0, 4] } },
    compress: false,
  });
  return pdfBuffer(doc);
}
