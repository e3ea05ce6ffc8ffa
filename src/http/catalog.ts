/**
 * Every service under the base, kept current with one registry listener per
 * service however many requests and event streams read it: the source of
 * `GET /v1/services`, the page's stream and the known-service check.
 *
 * @module
 */

import type { Registry } from "../registry/registry.ts";
import type { NodeSnapshot } from "../registry/snapshot.ts";
import { notifyAll } from "../util/notify.ts";
import { fnv1a, type ServiceView, serviceView } from "./views.ts";
import { reservedUnder, underBase } from "./safety.ts";

/** Every service with its instances, as the page's stream sends it. */
export interface CatalogView {
  /** Changes whenever any service does. */
  version: string;
  /** `true` when any of it comes from the cache while ZooKeeper is away. */
  stale: boolean;
  /** The services, by name. */
  services: ServiceView[];
}

interface Entry {
  snapshot: NodeSnapshot | undefined;
  off: () => void;
}

/** The services under a base path. */
export class Catalog {
  readonly #registry: Registry;
  readonly #base: string;
  readonly #onError: (error: unknown) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(view: CatalogView) => void>();
  #started: Promise<void> | undefined;
  #offBase: (() => void) | undefined;
  #view: CatalogView | undefined;
  #closed = false;

  /**
   * @param registry The registry.
   * @param base The base path, such as `/services`.
   * @param onError Receives errors of listeners and of reads.
   */
  constructor(registry: Registry, base: string, onError: (error: unknown) => void) {
    this.#registry = registry;
    this.#base = base;
    this.#onError = onError;
  }

  /**
   * Reads the base and starts following it (once; later calls wait for the
   * first). A first read that failed is tried again by the next call.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      this.#offBase ??= this.#registry.onChange(this.#base, (s) => this.#onBase(s));
      await this.#onBase(await this.#registry.get(this.#base));
    })().catch((error) => {
      this.#started = undefined;
      throw error;
    });
    return this.#started;
  }

  /** @returns The current view (start() first). */
  view(): CatalogView {
    if (this.#view !== undefined) return this.#view;
    // A node with neither data nor children (a parent left behind) is not a service.
    const services = [...this.#entries]
      .filter(([, e]) => e.snapshot !== undefined && !isEmpty(e.snapshot))
      .map(([name, e]) => serviceView(name, e.snapshot!))
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const stale = services.some((s) => s.stale);
    const version = fnv1a(services.map((s) => `${s.name}@${s.version}`).join(",")) +
      (stale ? "-stale" : "");
    this.#view = { version, stale, services };
    return this.#view;
  }

  /**
   * @returns Each service's name and the snapshot of its node, as read so
   *   far (start() first).
   */
  snapshots(): [string, NodeSnapshot][] {
    const out: [string, NodeSnapshot][] = [];
    for (const [name, entry] of this.#entries) {
      if (entry.snapshot !== undefined) out.push([name, entry.snapshot]);
    }
    return out;
  }

  /**
   * @param name A service's name.
   * @returns Whether the base has a child by that name now.
   */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** @returns The number of services followed. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Calls `callback` with each new view.
   *
   * @param callback Receives the view.
   * @returns A function that removes it.
   */
  listen(callback: (view: CatalogView) => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  /** Stops following the registry. */
  close(): void {
    this.#closed = true;
    this.#offBase?.();
    for (const entry of this.#entries.values()) entry.off();
    this.#entries.clear();
    this.#listeners.clear();
  }

  async #onBase(snapshot: NodeSnapshot): Promise<void> {
    if (this.#closed) return;
    const names = new Set(
      Object.keys(snapshot.children).filter((name) => !reservedUnder(this.#base, name)),
    );
    // While ZooKeeper is away an empty answer says nothing: keep what we had.
    if (snapshot.stale && names.size === 0 && this.#entries.size > 0) return this.#changed();
    for (const [name, entry] of this.#entries) {
      if (names.has(name)) continue;
      entry.off();
      this.#entries.delete(name);
    }
    const added: Promise<void>[] = [];
    for (const name of names) {
      if (this.#entries.has(name)) continue;
      const path = underBase(this.#base, [name]);
      const entry: Entry = { snapshot: undefined, off: () => {} };
      this.#entries.set(name, entry);
      entry.off = this.#registry.onChange(path, (s) => {
        entry.snapshot = s;
        this.#changed();
      });
      added.push(
        this.#registry.get(path).then((s) => {
          entry.snapshot ??= s;
        }, this.#onError),
      );
    }
    await Promise.all(added);
    this.#changed();
  }

  #changed(): void {
    if (this.#closed) return;
    this.#view = undefined;
    const view = this.view();
    notifyAll(this.#listeners, view, this.#onError);
  }
}

function isEmpty(snapshot: NodeSnapshot): boolean {
  if (snapshot.data !== null) return false;
  for (const _ in snapshot.children) return false;
  return true;
}
