/**
 * The text of an uncompressed PDF as a reader would see it, for checking what a generated letter says. Fonts are
 * embedded (Identity-H), so glyph ids in the text operators are mapped back to characters through each font's
 * ToUnicode map. Enough for the PDFs this product makes; not a general PDF parser.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const object = (n: string) => {
    const start = raw.indexOf(`\n${n} 0 obj`);
    return start === -1 ? '' : raw.slice(start, raw.indexOf('endobj', start));
  };
  const cmaps = new Map<string, Map<number, string>>();
  for (const [, name, ref] of raw.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(object(ref!))?.[1];
    if (!toUnicode || cmaps.has(name!)) continue;
    const map = new Map<number, string>();
    for (const line of object(toUnicode).split('\n')) {
      const list = /^<([0-9a-f]+)> <[0-9a-f]+> \[(.*)\]$/i.exec(line.trim());
      // An entry may hold several code points (a ligature such as "fi" is <0066 0069>).
      const chars = (hex: string) => hex.trim().split(/\s+/).map((h) => String.fromCodePoint(parseInt(h, 16))).join('');
      if (list) [...list[2]!.matchAll(/<([0-9a-f ]+)>/gi)].forEach((m, i) => map.set(parseInt(list[1]!, 16) + i, chars(m[1]!)));
      const range = /^<([0-9a-f]+)> <([0-9a-f]+)> <([0-9a-f]+)>$/i.exec(line.trim());
      if (range) for (let g = parseInt(range[1]!, 16); g <= parseInt(range[2]!, 16); g++) map.set(g, String.fromCodePoint(parseInt(range[3]!, 16) + g - parseInt(range[1]!, 16)));
    }
    cmaps.set(name!, map);
  }
  const out: string[] = [];
  for (const [, block] of raw.matchAll(/BT([\s\S]*?)ET/g)) {
    let font = new Map<number, string>();
    let line = '';
    for (const op of block!.matchAll(/\/(F\d+) [\d.]+ Tf|<([0-9a-fA-F]+)>/g)) {
      if (op[1]) font = cmaps.get(op[1]) ?? new Map();
      else for (let i = 0; i + 4 <= op[2]!.length; i += 4) line += font.get(parseInt(op[2]!.slice(i, i + 4), 16)) ?? '';
    }
    out.push(line);
  }
  return out.join(' ').replace(/\s+/g, ' ');
}
