// Copies the dashboard's static files (page, styles, icon) next to its compiled modules in dist/dashboard.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'dashboard');
const target = join(root, 'dist', 'dashboard');
mkdirSync(target, { recursive: true });
for (const file of readdirSync(source)) {
  if (['.html', '.css', '.svg'].includes(extname(file))) copyFileSync(join(source, file), join(target, file));
}
