/** Collects a pdfkit/pdfmake document stream into one buffer (letters and report exports both need it). */
export function pdfBuffer(doc: NodeJS.EventEmitter & { end(): void }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
