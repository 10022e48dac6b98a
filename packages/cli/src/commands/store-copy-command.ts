import { pathToFileURL } from 'node:url';
import type { Store } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { StoreCopyMismatchError } from '../errors/store-copy-mismatch-error.js';
import { createJiti } from '../project/jiti-loader.js';
import { loadKeelCore } from '../project/keel-core.js';
import { storeSource } from '../project/store-source.js';
import { redactStoreUrl, resolveStoreUrl } from '../project/store-url.js';
import { copyStore } from '../store-copy/copy-store.js';
import { storeDigest, type RecordCounts } from '../store-copy/store-digest.js';

/** Options of `keel store copy`. */
export interface StoreCopyCommandOptions {
  readonly from: string;
  readonly to: string;
  readonly skipExisting?: boolean;
  readonly json?: boolean;
}

/**
 * `keel store copy --from <url> --to <url>`: copies every execution with its records and blobs, then
 * reads both sides back and compares counts and digests; a difference is an error (exit 1).
 */
export async function storeCopyCommand(context: CliContext, options: StoreCopyCommandOptions): Promise<void> {
  const { terminal } = context;
  const { colors } = terminal;
  const source = await openStoreUrl(context.cwd, options.from);
  let target: Store | undefined;
  try {
    target = await openStoreUrl(context.cwd, options.to);
    const fromLabel = redactStoreUrl(options.from);
    const toLabel = redactStoreUrl(options.to);
    if (!options.json) terminal.line(`${colors.cyan('▸')} copying ${source.name} ${fromLabel} → ${target.name} ${toLabel}`);
    const result = await copyStore(source, target, { skipExisting: options.skipExisting ?? false });
    // Deployments and tags are compared whether this copy wrote them or the target had them the same.
    const routes = {
      deployments: [
        ...result.deploymentCopy.deployments,
        ...(await source.listDeployments()).filter((deployment) =>
          result.deploymentCopy.existingDeployments.includes(`${deployment.flow} ${deployment.version}`),
        ),
      ],
      tags: result.deploymentCopy.tags,
    };
    const [sourceDigest, targetDigest] = await Promise.all([storeDigest(source, result.copied, routes), storeDigest(target, result.copied, routes)]);
    const matches = sourceDigest.digest === targetDigest.digest;
    if (options.json) {
      terminal.line(
        JSON.stringify(
          {
            from: fromLabel,
            to: toLabel,
            copied: sourceDigest.counts,
            skipped: result.skipped,
            skippedTags: result.deploymentCopy.skippedTags,
            source: sourceDigest,
            target: targetDigest,
            matches,
          },
          null,
          2,
        ),
      );
    } else {
      terminal.line(`copied ${describeCounts(sourceDigest.counts)}`);
      if (result.deploymentCopy.skippedTags.length > 0)
        terminal.line(colors.yellow(`kept the target's tags ${result.deploymentCopy.skippedTags.join(', ')}, which point to other versions there`));
      if (result.skipped.length > 0)
        terminal.line(
          colors.yellow(
            `skipped ${result.skipped.length} ${result.skipped.length === 1 ? 'execution' : 'executions'} the target already had: ${result.skipped.join(', ')}`,
          ),
        );
      terminal.line(`source digest ${sourceDigest.digest}`);
      terminal.line(`target digest ${targetDigest.digest}${targetDigest.digest === sourceDigest.digest ? '' : ` (${describeCounts(targetDigest.counts)})`}`);
      if (matches) terminal.line(`${colors.green('✓')} the target holds the same records and blobs as the source`);
    }
    if (!matches)
      throw new StoreCopyMismatchError({ source: fromLabel, target: toLabel, sourceDigest: sourceDigest.digest, targetDigest: targetDigest.digest });
  } finally {
    await source.close().catch(() => {});
    await target?.close().catch(() => {});
  }
}

function describeCounts(counts: RecordCounts): string {
  return Object.entries(counts)
    .map(([kind, count]) => `${count} ${count === 1 ? kind.slice(0, -1) : kind}`)
    .join(', ');
}

/**
 * Opens a store from a URL as the project would: SQLite and PostgreSQL packages are looked up from the
 * working directory (where the project installs them), everything else goes to `@keel/core`'s `storeFromUrl`.
 */
async function openStoreUrl(cwd: string, url: string): Promise<Store> {
  const resolver = createJiti(pathToFileURL(`${cwd}/`).href, { fsCache: false, moduleCache: false });
  const core = await loadKeelCore(resolver, cwd);
  const source = await storeSource(resolveStoreUrl(url, cwd), resolver, cwd);
  return typeof source === 'string' ? core.module.storeFromUrl(source) : source;
}
