/**
 * The benchmark's chart: each client's throughput relative to the Java
 * client's, per workload.
 *
 * @module
 */

/**
 * A grouped bar chart of throughput per workload, each client a colour.
 *
 * @param workloads The workloads run.
 * @param clients The clients run.
 * @param find A client's median of a metric in a workload.
 * @returns The SVG.
 */
export function chart(
  workloads: string[],
  clients: string[],
  find: (workload: string, client: string, metric: string) => number | undefined,
): string {
  const names = clients.filter((c) => !c.startsWith("reference-client"));
  const colours = ["#2b6cb0", "#4299e1", "#dd6b20", "#718096", "#38a169"];
  const groups = workloads.filter((w) => w !== "latency" && w !== "scale" && w !== "idle");
  const w = 760, h = 320, left = 60, bottom = 40, top = 30;
  const groupWidth = (w - left - 20) / groups.length;
  const barWidth = groupWidth / (names.length + 1);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${
    h + 30
  }" font-family="sans-serif" font-size="11">`;
  svg +=
    `<text x="${left}" y="16" font-size="13">Throughput relative to the Java client (median; higher is better)</text>`;
  const values = groups.flatMap((g) =>
    names.map((n) => (find(g, n, "ops/s") ?? 0) / (find(g, "java", "ops/s") ?? 1))
  );
  const max = Math.max(1.5, ...values) * 1.1;
  for (let t = 0; t <= max; t += 0.5) {
    const y = h - bottom - (t / max) * (h - bottom - top);
    svg += `<line x1="${left}" x2="${w - 10}" y1="${y}" y2="${y}" stroke="#e2e8f0"/>`;
    svg += `<text x="${left - 6}" y="${y + 4}" text-anchor="end">${t.toFixed(1)}×</text>`;
  }
  groups.forEach((g, gi) => {
    names.forEach((n, ni) => {
      const v = (find(g, n, "ops/s") ?? 0) / (find(g, "java", "ops/s") ?? 1);
      const bh = (v / max) * (h - bottom - top);
      const x = left + gi * groupWidth + (ni + 0.5) * barWidth;
      svg += `<rect x="${x}" y="${h - bottom - bh}" width="${barWidth - 2}" height="${bh}" fill="${
        colours[ni]
      }"/>`;
    });
    svg += `<text x="${left + gi * groupWidth + groupWidth / 2}" y="${
      h - bottom + 16
    }" text-anchor="middle">${g}</text>`;
  });
  names.forEach((n, ni) => {
    svg += `<rect x="${left + ni * 140}" y="${h + 8}" width="10" height="10" fill="${
      colours[ni]
    }"/>`;
    svg += `<text x="${left + ni * 140 + 14}" y="${h + 17}">${n}</text>`;
  });
  return svg + "</svg>\n";
}
