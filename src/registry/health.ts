/**
 * Health checks of registrations: a check run every `interval`, whose verdict
 * changes only after `rise` passes or `fall` failures in a row (HAProxy's
 * hysteresis), so that one slow answer does not take a server out of its
 * service.
 *
 * @module
 */

import type { Clock } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";
import { typeName } from "../util/type_name.ts";

/**
 * A health check: a function (passes unless it resolves `false`, rejects or
 * outlives `timeout`; it gets a signal that aborts at the timeout), or a
 * built-in: `{ http: url }` passes on a 2xx answer, `{ tcp: "host:port" }`
 * when a connection opens (it needs `node:net`: Deno, Node and Bun).
 */
export type HealthCheck =
  | ((signal: AbortSignal) => Promise<boolean | void> | boolean | void)
  | { http: string }
  | { tcp: string };

/** Options of a health-checked registration. */
export interface HealthOptions {
  /** The check. */
  check: HealthCheck;
  /**
   * Milliseconds between checks.
   *
   * @default {10000}
   */
  interval?: number | undefined;
  /**
   * Milliseconds a check may take before it counts as failed.
   *
   * @default {the interval, at most 5000}
   */
  timeout?: number | undefined;
  /**
   * Passes in a row that make an unhealthy registration healthy.
   *
   * @default {2}
   */
  rise?: number | undefined;
  /**
   * Failures in a row that make a healthy registration unhealthy.
   *
   * @default {3}
   */
  fall?: number | undefined;
}

async function httpCheck(url: string, signal: AbortSignal): Promise<boolean> {
  const response = await fetch(url, { signal });
  // The verdict is the status; a body that cannot be discarded changes nothing.
  await response.body?.cancel().catch(() => {});
  return response.ok;
}

/** A `{ tcp }` check's target; `undefined` when it is not `host:port`. */
function tcpTarget(target: string): { host: string; port: number } | undefined {
  const colon = target.lastIndexOf(":");
  const port = Number(target.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: target.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port };
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * Refuses a check that could never pass for a reason of its own making, so
 * that the mistake is an error of the call rather than an unhealthy verdict.
 */
function checkCheck(check: unknown): HealthCheck {
  if (typeof check === "function") return check as HealthCheck;
  const { http, tcp } = (typeof check === "object" && check !== null ? check : {}) as {
    http?: unknown;
    tcp?: unknown;
  };
  if (typeof http === "string" && isHttpUrl(http)) return { http };
  if (typeof tcp === "string" && tcpTarget(tcp) !== undefined) return { tcp };
  throw new TypeError(
    `Invalid health check ${
      typeof check === "string" ? `"${check}"` : typeName(check)
    }: expected a function, { http: "http(s)://..." } or { tcp: "host:port" }`,
  );
}

async function tcpCheck(target: string, signal: AbortSignal): Promise<boolean> {
  const { host, port } = tcpTarget(target)!;
  const net = await import("node:net");
  return await new Promise<boolean>((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (error?: Error) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      if (error === undefined) resolve(true);
      else reject(error);
    };
    const onAbort = () => done(new Error(`Cannot connect to ${target}: timed out`));
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => done());
    socket.once("error", (error: Error) => done(error));
  });
}

/** Runs one check to its verdict. */
async function probe(check: HealthCheck, timeout: number, clock: Clock): Promise<boolean> {
  const controller = new AbortController();
  const timer = clock.setTimeout(
    () => controller.abort(new Error("health check timed out")),
    timeout,
  );
  try {
    const signal = controller.signal;
    const run = typeof check === "function"
      ? Promise.resolve(check(signal)).then((result) => result !== false)
      : "http" in check
      ? httpCheck(check.http, signal)
      : tcpCheck(check.tcp, signal);
    const timedOut = new Promise<boolean>((resolve) =>
      signal.addEventListener("abort", () => resolve(false), { once: true })
    );
    return await Promise.race([run, timedOut]);
  } catch {
    // A check that throws has failed: that is its verdict, which the
    // registration's health reports.
    return false;
  } finally {
    clock.clearTimeout(timer);
  }
}

/** Runs a health check on a schedule and reports changes of its verdict. */
export class HealthMonitor {
  readonly #check: HealthCheck;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #rise: number;
  readonly #fall: number;
  readonly #onChange: (healthy: boolean) => void;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #healthy: boolean | undefined;
  #streak = 0;

  /**
   * @param options The check and its schedule.
   * @param onChange Called with each change of the verdict after the first.
   * @param clock Times the checks and their timeout.
   * @throws {TypeError} For a check that is not a function, an http(s) URL
   *   or a `host:port`.
   * @throws {RangeError} For an interval, timeout, rise or fall not above 0.
   */
  constructor(options: HealthOptions, onChange: (healthy: boolean) => void, clock: Clock) {
    const positive = (value: number | undefined, name: string, fallback: number) => {
      if (value === undefined) return fallback;
      if (!(typeof value === "number" && value > 0)) {
        throw new RangeError(`Invalid health ${name} ${typeName(value)}: must be above 0`);
      }
      return value;
    };
    this.#check = checkCheck(options.check);
    this.#interval = positive(options.interval, "interval", 10_000);
    this.#timeout = positive(options.timeout, "timeout", Math.min(this.#interval, 5000));
    this.#rise = positive(options.rise, "rise", 2);
    this.#fall = positive(options.fall, "fall", 3);
    this.#onChange = onChange;
    this.#clock = clock;
  }

  /** The verdict; `undefined` before the first check ends. */
  get healthy(): boolean | undefined {
    return this.#healthy;
  }

  /**
   * Runs the first check (its result is the first verdict, with no
   * hysteresis), then keeps checking in the background until `stop()`.
   *
   * @returns The first verdict.
   */
  async start(): Promise<boolean> {
    const first = await probe(this.#check, this.#timeout, this.#clock);
    if (this.#stop.signal.aborted) return first;
    this.#healthy = first;
    // The loop's only rejection is the wait that stop() aborts: probe()
    // turns every failure of a check into a verdict.
    this.#loop().catch(() => {});
    return first;
  }

  /** Stops checking. */
  stop(): void {
    this.#stop.abort();
  }

  async #loop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      await sleep(this.#clock, this.#interval, signal);
      const passed = await probe(this.#check, this.#timeout, this.#clock);
      if (signal.aborted) return;
      if (passed === this.#healthy) {
        this.#streak = 0;
        continue;
      }
      this.#streak++;
      if (this.#streak >= (passed ? this.#rise : this.#fall)) {
        this.#streak = 0;
        this.#healthy = passed;
        this.#onChange(passed);
      }
    }
  }
}
