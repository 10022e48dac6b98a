import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { DeploymentConflictError } from '../errors/deployment-conflict-error.js';
import { DeploymentInUseError } from '../errors/deployment-in-use-error.js';
import { DeploymentNotFoundError } from '../errors/deployment-not-found-error.js';
import { FlowInputInvalidError } from '../errors/flow-input-invalid-error.js';
import { KeelError } from '../errors/keel-error.js';
import { newExecutionId } from '../ids.js';
import { storePayload } from '../serialization/payloads.js';
import type { DeploymentRecord, ExecutionStatus, FlowTagRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { sourceDigest, type VersionPolicy } from './code-version.js';
import { toStoredSchema, validateStoredSchema } from './wait-schema.js';
import type { Budget } from './budget.js';
import { executionMetadata } from './execution-budget.js';

/** A deployed version with the tags that point to it. */
export interface DeploymentInfo extends DeploymentRecord {
  readonly tags: readonly string[];
}

/** Options of `deployments.deploy`. */
export interface DeployOptions {
  /** Tags to point at the deployed version (moved from the versions they pointed to before). */
  readonly tags?: readonly string[];
  /** Who deploys (a user name, a CI job). */
  readonly deployedBy?: string;
  /** Small JSON labels kept with the deployment (a git commit, a build URL). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** What `deploy` did. */
export interface DeployResult {
  readonly deployment: DeploymentInfo;
  /** `false` when the same version with the same content was deployed before (deploying is idempotent). */
  readonly created: boolean;
}

/** Options of `deployments.invoke`: route by `tag` (default `prod`) or name a `version`. */
export interface InvokeOptions {
  readonly tag?: string;
  readonly version?: string;
  readonly executionId?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The execution's spend budget (the deployed code's flow default is not known here). */
  readonly budget?: Budget;
}

/** One flow version as `keel versions` shows it: its executions by status, tags, and whether it can go. */
export interface VersionSummary {
  readonly flow: string;
  readonly version: string;
  /** Set when the version was deployed (executions can also come from undeployed code, e.g. `keel run`). */
  readonly deployedAt?: number;
  readonly tags: readonly string[];
  readonly executions: Readonly<Record<ExecutionStatus, number>>;
  /** Nothing of the version is queued, running or waiting, and no tag points to it. */
  readonly retirable: boolean;
  /** Whether this runtime runs the version's executions (its own version, or one it declared compatible). */
  readonly served: boolean;
}

/** Deployed flow versions and tags, and invocations routed through them. */
export interface Deployments {
  /**
   * Registers the version of a registered flow that this code runs, with its input schema. Deploying
   * the same version again with the same code is a no-op; with other code it fails with
   * `DeploymentConflictError`.
   */
  deploy(flow: string, options?: DeployOptions): Promise<DeployResult>;
  /** Deployed versions (of one flow, or all), oldest first, with their tags. */
  list(filter?: { readonly flow?: string }): Promise<DeploymentInfo[]>;
  /** Points `tag` at a deployed version; new invocations through the tag go there, running ones stay. */
  tag(flow: string, tag: string, version: string, options?: { readonly updatedBy?: string }): Promise<FlowTagRecord>;
  /** Removes a tag. */
  untag(flow: string, tag: string): Promise<void>;
  /** Removes a deployed version: refused with `DeploymentInUseError` while it has unfinished executions or tags. */
  remove(flow: string, version: string): Promise<void>;
  /**
   * Starts a queued execution pinned to the version `tag` (default `prod`) points to, or to `version`;
   * a worker serving that version runs it. Input is validated against the deployed input schema. The
   * flow's code need not be loaded here (an API server without the code can invoke).
   */
  invoke(flow: string, input: unknown, options?: InvokeOptions): Promise<{ executionId: string; version: string }>;
  /** Per flow and version: executions by status, tags, deployment, and whether the version can be retired. */
  versions(filter?: { readonly flow?: string }): Promise<VersionSummary[]>;
}

/** What the deployments API needs from its runtime. */
export interface DeploymentsHost {
  store(): Promise<Store>;
  /** The registered flow's function and input schema, or `undefined` when this code does not have it. */
  registeredFlow(flow: string): { readonly fn: (input: never) => unknown; readonly input?: z.ZodType } | undefined;
  /** The names of the registered flows. */
  flows(): string[];
  /** The versions this runtime runs a flow with. */
  versionPolicy(flow: string): VersionPolicy | undefined;
}

const unfinishedStatuses = ['queued', 'running', 'waiting'] as const;
/** How `versions()` names executions recorded without a code version: any code continues them. */
const unversioned = '(none)';
const allStatuses: readonly ExecutionStatus[] = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

/** @internal The deployments API of a runtime. */
export function deploymentsApi(host: DeploymentsHost): Deployments {
  const registered = (flow: string) => {
    const found = host.registeredFlow(flow);
    if (!found) {
      const known = host.flows();
      throw new KeelError(
        `Cannot deploy flow "${flow}": this code does not define it` +
          (known.length ? ` (it defines: ${known.join(', ')}).` : ' (it defines no flow).') +
          ' Deploy from the code that defines the flow (`keel deploy` loads keel.config.ts).',
      );
    }
    return found;
  };

  const withTags = async (store: Store, record: DeploymentRecord): Promise<DeploymentInfo> => {
    const tags = (await store.listTags({ flow: record.flow })).filter((tag) => tag.version === record.version).map((tag) => tag.tag);
    return { ...record, tags };
  };

  const requireDeployment = async (store: Store, flow: string, version: string): Promise<DeploymentRecord> => {
    const found = await store.getDeployment(flow, version);
    if (found) return found;
    const known = (await store.listDeployments({ flow })).map((record) => record.version);
    throw new DeploymentNotFoundError({ flow, wanted: { version }, known });
  };

  const api: Deployments = {
    async deploy(flow, options = {}) {
      const { fn, input } = registered(flow);
      const policy = host.versionPolicy(flow)!;
      if (policy.version === undefined) {
        throw new KeelError(
          `Cannot deploy flow "${flow}": this code has no version. Set one (codeVersion in keel.config.ts or ` +
            'createRuntime, or KEEL_CODE_VERSION, e.g. the git commit or build id), or deploy from a git checkout.',
        );
      }
      const version = policy.version;
      const store = await host.store();
      const inputSchema = input ? await toStoredSchema(input) : undefined;
      const digest = `sha256:${createHash('sha256')
        .update(JSON.stringify({ source: sourceDigest(fn), inputSchema: inputSchema ?? null }))
        .digest('hex')}`;
      const record: DeploymentRecord = {
        flow,
        version,
        digest,
        deployedAt: Date.now(),
        ...(inputSchema ? { inputSchema } : {}),
        ...(options.deployedBy !== undefined ? { deployedBy: options.deployedBy } : {}),
        ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
      };
      const result = await store.createDeployment(record);
      if (!result.ok) {
        if (result.reason === 'conflict' && result.current.digest !== digest) {
          throw new DeploymentConflictError({ flow, version, deployedAt: result.current.deployedAt });
        }
      }
      const deployment = result.ok ? result.record : result.reason === 'conflict' ? result.current : record;
      for (const tag of options.tags ?? []) await api.tag(flow, tag, version, options.deployedBy !== undefined ? { updatedBy: options.deployedBy } : {});
      return { deployment: await withTags(store, deployment), created: result.ok };
    },

    async list(filter = {}) {
      const store = await host.store();
      const [deployments, tags] = await Promise.all([store.listDeployments(filter), store.listTags(filter)]);
      return deployments.map((record) => ({
        ...record,
        tags: tags.filter((tag) => tag.flow === record.flow && tag.version === record.version).map((tag) => tag.tag),
      }));
    },

    async tag(flow, tag, version, options = {}) {
      checkName('tag', tag);
      const store = await host.store();
      await requireDeployment(store, flow, version);
      const record: FlowTagRecord = { flow, tag, version, updatedAt: Date.now(), ...(options.updatedBy !== undefined ? { updatedBy: options.updatedBy } : {}) };
      await store.putTag(record);
      return record;
    },

    async untag(flow, tag) {
      const store = await host.store();
      if (!(await store.deleteTag(flow, tag))) {
        const known = (await store.listTags({ flow })).map((record) => record.tag);
        throw new DeploymentNotFoundError({ flow, wanted: { tag }, known });
      }
    },

    async remove(flow, version) {
      const store = await host.store();
      await requireDeployment(store, flow, version);
      const unfinished: Record<string, number> = {};
      for (const execution of await store.listExecutions({ flow, status: [...unfinishedStatuses] })) {
        if (execution.codeVersion === version) unfinished[execution.status] = (unfinished[execution.status] ?? 0) + 1;
      }
      const tags = (await store.listTags({ flow })).filter((tag) => tag.version === version).map((tag) => tag.tag);
      if (Object.keys(unfinished).length || tags.length) throw new DeploymentInUseError({ flow, version, unfinished, tags });
      await store.deleteDeployment(flow, version);
    },

    async invoke(flow, input, options = {}) {
      const store = await host.store();
      let version = options.version;
      if (version === undefined) {
        const tagName = options.tag ?? 'prod';
        const tag = await store.getTag(flow, tagName);
        if (!tag) {
          const known = (await store.listTags({ flow })).map((record) => record.tag);
          throw new DeploymentNotFoundError({ flow, wanted: { tag: tagName }, known });
        }
        version = tag.version;
      }
      const deployment = await requireDeployment(store, flow, version);
      if (deployment.inputSchema) {
        const issues = await validateStoredSchema(deployment.inputSchema, input);
        if (issues.length) throw new FlowInputInvalidError({ flow, issues });
      }
      const now = Date.now();
      const execution = await store.createExecution({
        id: options.executionId ?? newExecutionId(now),
        flow,
        status: 'queued',
        input: await storePayload(store, input, `the input of flow "${flow}"`),
        lease: null,
        sessions: 0,
        createdAt: now,
        codeVersion: version,
        ...executionMetadata({ name: flow, options: {} }, options),
      });
      return { executionId: execution.id, version };
    },

    async versions(filter = {}) {
      const store = await host.store();
      const [deployments, tags, executions] = await Promise.all([
        store.listDeployments(filter),
        store.listTags(filter),
        store.listExecutions(filter.flow !== undefined ? { flow: filter.flow } : {}),
      ]);
      const summaries = new Map<string, { flow: string; version: string; deployedAt?: number; executions: Record<ExecutionStatus, number> }>();
      const entry = (flow: string, version: string) => {
        const key = `${flow}\0${version}`;
        let summary = summaries.get(key);
        if (!summary)
          summaries.set(
            key,
            (summary = { flow, version, executions: Object.fromEntries(allStatuses.map((status) => [status, 0])) as Record<ExecutionStatus, number> }),
          );
        return summary;
      };
      for (const deployment of deployments) entry(deployment.flow, deployment.version).deployedAt = deployment.deployedAt;
      for (const execution of executions) entry(execution.flow, execution.codeVersion ?? unversioned).executions[execution.status] += 1;
      return [...summaries.values()]
        .map((summary) => {
          const versionTags = tags.filter((tag) => tag.flow === summary.flow && tag.version === summary.version).map((tag) => tag.tag);
          const unfinished = unfinishedStatuses.reduce((total, status) => total + summary.executions[status], 0);
          const policy = host.versionPolicy(summary.flow);
          const served =
            policy !== undefined &&
            (summary.version === unversioned ||
              summary.version === policy.version ||
              policy.compatibleWith.includes(summary.version) ||
              policy.compatibleWith.includes('*'));
          return { ...summary, tags: versionTags, retirable: unfinished === 0 && versionTags.length === 0, served };
        })
        .sort((a, b) =>
          a.flow < b.flow ? -1 : a.flow > b.flow ? 1 : (a.deployedAt ?? Infinity) - (b.deployedAt ?? Infinity) || (a.version < b.version ? -1 : 1),
        );
    },
  };
  return api;
}

/** Tags name routes in URLs and commands: keep them to letters, digits, `.`, `_`, `-`. */
function checkName(what: string, name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new KeelError(`"${name}" cannot be a ${what}: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or a digit.`);
  }
}
