// Runs as the workspace's `preinstall`, before pnpm builds native addons (better-sqlite3).
//
// Why: when no prebuilt binary can be downloaded, node-gyp compiles the addon against Node's C headers,
// and it downloads those headers from nodejs.org unless it is told where they are (`--nodedir`). pnpm 12
// does not pass npm's `nodedir` setting on to build scripts, so on a machine that reaches only the package
// registries a fresh `pnpm install` failed. Most Node installs (official tarballs, nvm, Homebrew,
// NodeSource, the `node` npm package) carry the headers of the running Node beside the binary, in
// `<prefix>/include/node`. This script puts them where node-gyp looks before it downloads: its header
// cache, `<devdir>/<version>/include/node` plus the `installVersion` marker — the same layout a download
// leaves. Nothing else is changed: no environment variable, no setting, no patched dependency.
//
// It does nothing when the cache entry exists, when the running Node has no headers beside it, or when
// those headers belong to another Node version (node-gyp then downloads as it always does).
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// node-gyp re-downloads a cache entry whose marker is older than the layout it expects (11 since node-gyp 10).
const NODE_GYP_INSTALL_VERSION = 11;

/** The folder node-gyp keeps downloaded headers in: `--devdir` if npm/pnpm pass one, else its cache folder. */
function nodeGypDevDir() {
  const configured = process.env.npm_config_devdir;
  if (configured) return configured.replace(/^~/, homedir());
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'node-gyp');
  if (process.platform === 'win32') {
    return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'node-gyp', 'Cache');
  }
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'node-gyp');
}

/** The version `node_version.h` in `includeDir` declares, e.g. `20.20.2`, or null when it cannot be read. */
function headersVersion(includeDir) {
  const versionHeader = join(includeDir, 'node_version.h');
  if (!existsSync(versionHeader)) return null;
  const text = readFileSync(versionHeader, 'utf8');
  const part = (name) => text.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
  const [major, minor, patch] = [part('MAJOR'), part('MINOR'), part('PATCH')];
  return major && minor && patch ? `${major}.${minor}.${patch}` : null;
}

function main() {
  // Windows builds also need node.lib, which only the download has; leave Windows to node-gyp.
  if (process.platform === 'win32' || process.release.name !== 'node') return;
  const version = process.versions.node;
  const target = join(nodeGypDevDir(), version);
  if (existsSync(join(target, 'installVersion'))) return;

  const includeDir = join(dirname(dirname(process.execPath)), 'include', 'node');
  if (headersVersion(includeDir) !== version) return;

  // Copy into a sibling temp folder, then rename: a half-copied entry is never mistaken for a whole one.
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'include'), { recursive: true });
  cpSync(includeDir, join(staging, 'include', 'node'), { recursive: true });
  writeFileSync(join(staging, 'installVersion'), `${NODE_GYP_INSTALL_VERSION}\n`);
  try {
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another install filled the entry first: theirs is as good as ours.
    if (!existsSync(join(target, 'installVersion'))) throw error;
  }
  console.log(`node-gyp headers for Node ${version} taken from ${includeDir}`);
}

main();
