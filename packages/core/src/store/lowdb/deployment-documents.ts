import type { DeploymentRecord, FlowTagRecord, UpdateResult } from '../records.js';
import { byDeployment, byTag } from '../deployment-order.js';
import type { DocumentFiles } from './document-files.js';
import { deploymentsShape, type DeploymentsDocument } from './document-shapes.js';

const empty: DeploymentsDocument = { deployments: [], tags: [] };

/**
 * The deployments and tags of a lowdb store, in `deployments.json`. Every change is a read-modify-write
 * under the document's lock, so two processes deploying or moving tags at once both count.
 */
export class DeploymentDocuments {
  readonly #file: string;
  readonly #documents: DocumentFiles;

  constructor(file: string, documents: DocumentFiles) {
    this.#file = file;
    this.#documents = documents;
  }

  create(record: DeploymentRecord): Promise<UpdateResult<DeploymentRecord>> {
    const stored = copy(record);
    return this.#change<UpdateResult<DeploymentRecord>>((document) => {
      const current = document.deployments.find((item) => item.flow === stored.flow && item.version === stored.version);
      if (current) return { result: { ok: false, reason: 'conflict', current: copy(current) } };
      return { next: { ...document, deployments: [...document.deployments, stored] }, result: { ok: true, record: copy(stored) } };
    });
  }

  async get(flow: string, version: string): Promise<DeploymentRecord | null> {
    const found = (await this.#read()).deployments.find((item) => item.flow === flow && item.version === version);
    return found ? copy(found) : null;
  }

  async list(flow: string | undefined): Promise<DeploymentRecord[]> {
    const { deployments } = await this.#read();
    return copy(deployments.filter((item) => flow === undefined || item.flow === flow).sort(byDeployment));
  }

  delete(flow: string, version: string): Promise<boolean> {
    return this.#change((document) => {
      const kept = document.deployments.filter((item) => !(item.flow === flow && item.version === version));
      return kept.length === document.deployments.length ? { result: false } : { next: { ...document, deployments: kept }, result: true };
    });
  }

  putTag(record: FlowTagRecord): Promise<void> {
    const stored = copy(record);
    return this.#change((document) => ({
      next: { ...document, tags: [...document.tags.filter((item) => !(item.flow === stored.flow && item.tag === stored.tag)), stored] },
      result: undefined,
    }));
  }

  async getTag(flow: string, tag: string): Promise<FlowTagRecord | null> {
    const found = (await this.#read()).tags.find((item) => item.flow === flow && item.tag === tag);
    return found ? copy(found) : null;
  }

  async listTags(flow: string | undefined): Promise<FlowTagRecord[]> {
    const { tags } = await this.#read();
    return copy(tags.filter((item) => flow === undefined || item.flow === flow).sort(byTag));
  }

  deleteTag(flow: string, tag: string): Promise<boolean> {
    return this.#change((document) => {
      const kept = document.tags.filter((item) => !(item.flow === flow && item.tag === tag));
      return kept.length === document.tags.length ? { result: false } : { next: { ...document, tags: kept }, result: true };
    });
  }

  async #read(): Promise<DeploymentsDocument> {
    return (await this.#documents.read(this.#file, deploymentsShape)) ?? empty;
  }

  #change<R>(change: (document: DeploymentsDocument) => { next?: DeploymentsDocument; result: R }): Promise<R> {
    return this.#documents.update(this.#file, deploymentsShape, (current) => change(current ?? empty));
  }
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
