/**
 * Counters, gauges and histograms with labels, and their rendering in
 * Prometheus' text exposition format (version 0.0.4), without dependencies.
 *
 * @module
 */

/** Label names and values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** What every metric has. */
interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  lines(): string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function keyOf(labels: Labels): string {
  const names = Object.keys(labels).sort();
  for (const name of names) {
    if (!LABEL.test(name) || name.startsWith("__")) {
      throw new RangeError(`Invalid label name "${name}"`);
    }
  }
  return JSON.stringify(names.map((n) => [n, String(labels[n])]));
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(key: string, extra?: [string, string]): string {
  const pairs = JSON.parse(key) as [string, string][];
  if (extra !== undefined) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([n, v]) => `${n}="${escapeValue(v)}"`).join(",")}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** A value that only goes up: requests served, events delivered. */
export class Counter {
  /** The metric's name. */
  readonly name: string;
  /** Its help text. */
  readonly help: string;
  /** `counter`. */
  readonly type = "counter" as const;
  readonly #values = new Map<string, number>();

  /**
   * Defines the metric (use {@linkcode Metrics} to define it within a set).
   *
   * @param name The metric's name.
   * @param help Its help text.
   */
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  /**
   * Adds to a series.
   *
   * @param labels The series' labels.
   * @param amount What to add; not negative.
   * @throws {RangeError} When `amount` is negative.
   */
  inc(labels: Labels = {}, amount = 1): void {
    if (!(amount >= 0)) throw new RangeError(`A counter cannot go down (${amount})`);
    const key = keyOf(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + amount);
  }

  /**
   * Reads a series.
   *
   * @param labels The series' labels.
   * @returns The series' value, 0 if never incremented.
   */
  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(labels)) ?? 0;
  }

  /**
   * Renders every series.
   *
   * @returns The exposition lines, without `# HELP` and `# TYPE`.
   */
  lines(): string[] {
    return [...this.#values].map(([key, v]) => `${this.name}${labelText(key)} ${numberText(v)}`);
  }
}

/** A value that goes up and down: connections held, entries in a cache. */
export class Gauge {
  /** The metric's name. */
  readonly name: string;
  /** Its help text. */
  readonly help: string;
  /** `gauge`. */
  readonly type = "gauge" as const;
  readonly #values = new Map<string, number>();

  /**
   * Defines the metric (use {@linkcode Metrics} to define it within a set).
   *
   * @param name The metric's name.
   * @param help Its help text.
   */
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  /**
   * Sets a series.
   *
   * @param value The value.
   * @param labels The series' labels.
   */
  set(value: number, labels: Labels = {}): void {
    this.#values.set(keyOf(labels), value);
  }

  /**
   * Adds to a series (a negative amount subtracts).
   *
   * @param amount What to add.
   * @param labels The series' labels.
   */
  add(amount: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + amount);
  }

  /**
   * Reads a series.
   *
   * @param labels The series' labels.
   * @returns The series' value, 0 if never set.
   */
  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(labels)) ?? 0;
  }

  /** Forgets every series (before setting the ones that exist now). */
  reset(): void {
    this.#values.clear();
  }

  /**
   * Renders every series.
   *
   * @returns The exposition lines, without `# HELP` and `# TYPE`.
   */
  lines(): string[] {
    return [...this.#values].map(([key, v]) => `${this.name}${labelText(key)} ${numberText(v)}`);
  }
}

/** Default histogram buckets, in seconds: 0.5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into cumulative buckets: latencies. */
export class Histogram {
  /** The metric's name. */
  readonly name: string;
  /** Its help text. */
  readonly help: string;
  /** `histogram`. */
  readonly type = "histogram" as const;
  /** Upper bounds of the buckets, ascending (`+Inf` is implied). */
  readonly buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  /**
   * Defines the histogram (use {@linkcode Metrics} to define it within a set).
   *
   * @param name The metric's name.
   * @param help Its help text.
   * @param buckets Upper bounds, ascending.
   * @throws {RangeError} When the bounds are not ascending.
   */
  constructor(name: string, help: string, buckets: readonly number[] = DEFAULT_BUCKETS) {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i] > buckets[i - 1])) {
        throw new RangeError(`Histogram buckets of ${name} must ascend`);
      }
    }
    this.name = name;
    this.help = help;
    this.buckets = [...buckets];
  }

  /**
   * Records one observation.
   *
   * @param value The observed value (seconds, for a latency).
   * @param labels The series' labels.
   */
  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]) series.counts[i]++;
    }
    series.sum += value;
    series.count++;
  }

  /**
   * Reads a series.
   *
   * @param labels The series' labels.
   * @returns How many observations, and their sum.
   */
  get(labels: Labels = {}): { count: number; sum: number } {
    const series = this.#series.get(keyOf(labels));
    return { count: series?.count ?? 0, sum: series?.sum ?? 0 };
  }

  /**
   * Renders every series.
   *
   * @returns The exposition lines, without `# HELP` and `# TYPE`.
   */
  lines(): string[] {
    const out: string[] = [];
    for (const [key, s] of this.#series) {
      this.buckets.forEach((bound, i) => {
        const le = labelText(key, ["le", numberText(bound)]);
        out.push(`${this.name}_bucket${le} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket${labelText(key, ["le", "+Inf"])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(key)} ${numberText(s.sum)}`);
      out.push(`${this.name}_count${labelText(key)} ${s.count}`);
    }
    return out;
  }
}

/**
 * A set of metrics, rendered together.
 *
 * @example Count and render
 * ```ts
 * import { Metrics } from "@nd/service-registry/http";
 * const metrics = new Metrics();
 * const served = metrics.counter("http_requests_total", "Requests served.");
 * served.inc({ code: "200" });
 * console.log(metrics.render()); // # HELP http_requests_total ...
 * ```
 */
export class Metrics {
  readonly #metrics = new Map<string, Metric>();

  #add<T extends Metric>(metric: T): T {
    if (!NAME.test(metric.name)) throw new RangeError(`Invalid metric name "${metric.name}"`);
    if (this.#metrics.has(metric.name)) {
      throw new RangeError(`Metric "${metric.name}" is already defined`);
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  /**
   * Defines a counter.
   *
   * @param name Its name, such as `zk_connects_total`.
   * @param help Its help text.
   * @returns The counter.
   * @throws {RangeError} When the name is invalid or taken.
   */
  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }

  /**
   * Defines a gauge.
   *
   * @param name Its name.
   * @param help Its help text.
   * @returns The gauge.
   * @throws {RangeError} When the name is invalid or taken.
   */
  gauge(name: string, help: string): Gauge {
    return this.#add(new Gauge(name, help));
  }

  /**
   * Defines a histogram.
   *
   * @param name Its name.
   * @param help Its help text.
   * @param buckets Upper bounds, ascending.
   * @returns The histogram.
   * @throws {RangeError} When the name is invalid or taken.
   */
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }

  /**
   * Renders every metric.
   *
   * @returns Prometheus' text format, ending with a newline.
   */
  render(): string {
    let text = "";
    for (const m of this.#metrics.values()) {
      const help = m.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
      text += `# HELP ${m.name} ${help}\n# TYPE ${m.name} ${m.type}\n`;
      for (const line of m.lines()) text += line + "\n";
    }
    return text;
  }
}

/** The content type of {@linkcode Metrics.render}'s text. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
