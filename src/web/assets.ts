import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
export const nhsukDist = dirname(require.resolve('nhsuk-frontend/package.json')) + '/dist';
export const htmxFile = join(dirname(require.resolve('htmx.org/package.json')), 'dist', 'htmx.min.js');

/**
 * nhsuk-frontend's stylesheet loads the Frutiger web font from a CDN. No request may leave the machine (and the
 * font is licensed), so the @font-face rules are removed and the stylesheet's own fallback stack (Arial) is used.
 */
export function localNhsukCss(): string {
  const css = readFileSync(join(nhsukDist, 'nhsuk', 'nhsuk-frontend.min.css'), 'utf8');
  return css.replace(/@font-face\{[^}]*\}/g, '');
}
