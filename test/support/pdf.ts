/**
 * The text of an uncompressed PDF made with the standard fonts, as a reader would see it: the hex strings of its
 * text-showing operators, decoded and joined. Enough to check what a generated letter says.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  for (const block of raw.matchAll(/BT([\s\S]*?)ET/g)) {
    let line = '';
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>/g)) line += Buffer.from(m[1]!, 'hex').toString('latin1');
    lines.push(line);
  }
  return lines.join(' ').replace(/\s+/g, ' ');
}
