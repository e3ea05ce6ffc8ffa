/**
 * The live page's HTML, with its first view rendered on the server: the
 * services as they are now, so that `curl`, a screenshot or a browser without
 * JavaScript sees them; the script then follows the event stream and renders
 * the same markup from the DOM. Relative links, so it works under any prefix.
 *
 * @module
 */

import type { CatalogView } from "./catalog.ts";
import type { InstanceView } from "./views.ts";

const COLUMNS = ["Instance", "Address", "Port", "Payload", "Age", "Held by"] as const;

/** `&`, `<`, `>`, `"` and `'` as entities: data from ZooKeeper is text, never markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The payload without the registry's own bookkeeping (`created`, `pid`,
 * `hostname`), which the page shows as "Age" and "Held by". The script
 * carries the same rule.
 */
function shownPayload(payload: unknown): unknown {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return payload;
  const { created: _c, pid: _p, hostname: _h, ...rest } = payload as Record<string, unknown>;
  return Object.keys(rest).length ? rest : undefined;
}

/** An age as the script writes it: `42s`, `3m 5s`, `2h 10m`, `4d 1h`. */
function age(since: number, now: number): string {
  if (!since) return "";
  const s = Math.max(0, Math.round((now - since) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function row(i: InstanceView, now: number): string {
  const cells = [
    `<code>${escapeHtml(i.id)}</code>`,
    escapeHtml(i.address),
    escapeHtml(String(i.port ?? i.sslPort ?? "")),
    `<code>${escapeHtml(JSON.stringify(shownPayload(i.payload)) ?? "")}</code>`,
    `<span class="age" data-since="${i.registrationTimeUTC}">${
      age(i.registrationTimeUTC, now)
    }</span>`,
    escapeHtml(i.holder ?? ""),
  ];
  return `<tr data-id="${escapeHtml(i.id)}">` +
    cells.map((c, n) => `<td data-label="${COLUMNS[n]}">${c}</td>`).join("") + "</tr>";
}

/** The summary line: how many services and instances. */
export function summaryText(view: CatalogView): string {
  const instances = view.services.reduce((n, s) => n + s.instances.length, 0);
  return `${view.services.length} services, ${instances} instances`;
}

/**
 * The page at `/` with the catalog rendered in it.
 *
 * @param view The catalog now.
 * @param now The time, for the instances' ages.
 * @returns The HTML.
 */
export function pageHtml(view: CatalogView, now: number): string {
  const open = view.services.length <= 8 ? " open" : "";
  const services = view.services.map((service) => {
    const n = service.instances.length;
    const count = `(${n} instance${n === 1 ? "" : "s"})`;
    const body = n === 0 ? '<p class="none">No instances.</p>' : "<table><thead><tr>" +
      COLUMNS.map((h) => `<th scope="col">${h}</th>`).join("") + "</tr></thead><tbody>" +
      service.instances.map((i) => row(i, now)).join("") + "</tbody></table>";
    return `<details class="service" data-name="${escapeHtml(service.name)}"${open}>` +
      `<summary>${escapeHtml(service.name)} <span class="count">${count}</span></summary>` +
      `${body}</details>`;
  }).join("\n");
  const stale = view.stale
    ? '<div id="banner" role="alert">ZooKeeper is unreachable: the data shown is stale (last known state).</div>'
    : '<div id="banner" role="alert" hidden></div>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Services</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body${view.stale ? ' class="stale"' : ""}>
<header>
  <h1>Services</h1>
  <p id="summary" aria-live="polite">${summaryText(view)}</p>
</header>
${stale}
<main>
  <label for="search">Search services and instances</label>
  <input id="search" type="search" placeholder="name, address, port, payload" autocomplete="off">
  <div id="services">
${services}
  </div>
  <p id="empty" hidden>No service matches.</p>
</main>
</body>
</html>
`;
}

/** `favicon.svg`: a ring of three nodes, the page's accent colour. */
export const FAVICON_SVG: string = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<circle cx="16" cy="16" r="10" fill="none" stroke="#0969da" stroke-width="3"/>
<circle cx="16" cy="6" r="4.5" fill="#0969da"/><circle cx="7.3" cy="21" r="4.5" fill="#0969da"/>
<circle cx="24.7" cy="21" r="4.5" fill="#0969da"/>
</svg>
`;
