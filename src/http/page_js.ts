/**
 * The live page's script: follows `v1/watch` (the whole catalog, one stream)
 * with an `EventSource`, renders the services and their instances with the
 * DOM (no HTML built from data), filters by the search box, and shows the
 * banner while ZooKeeper is away or the stream is broken.
 *
 * @module
 */

/** `app.js`, a JavaScript module. */
export const PAGE_JS: string = `const $ = (id) => document.getElementById(id);
let catalog = { services: [], stale: false };
let health = { connected: true, stale: false };
let streamOk = true;
const open = new Set();

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else node[k] = v;
  }
  for (const child of children) node.append(child);
  return node;
}

function age(ms) {
  if (!ms) return "";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + "s";
  if (s < 3600) return Math.floor(s / 60) + "m " + (s % 60) + "s";
  if (s < 86400) return Math.floor(s / 3600) + "h " + Math.floor((s % 3600) / 60) + "m";
  return Math.floor(s / 86400) + "d " + Math.floor((s % 86400) / 3600) + "h";
}

function text(instance) {
  return [instance.name, instance.id, instance.address, instance.port, instance.holder,
    JSON.stringify(instance.payload ?? "")].join(" ").toLowerCase();
}

// The registry's own bookkeeping in a plain registration: shown as "Held by".
function shownPayload(payload) {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return payload;
  const { created: _c, pid: _p, hostname: _h, ...rest } = payload;
  return Object.keys(rest).length ? rest : undefined;
}

function cell(label, content) {
  return el("td", { dataset: { label } }, content);
}

function render() {
  const query = $("search").value.trim().toLowerCase();
  const list = $("services");
  const sections = [];
  let shown = 0;
  let shownInstances = 0;
  let total = 0;
  for (const service of catalog.services) {
    total += service.instances.length;
    const matchesName = service.name.toLowerCase().includes(query);
    const instances = matchesName ? service.instances
      : service.instances.filter((i) => text(i).includes(query));
    if (query && !matchesName && instances.length === 0) continue;
    shown++;
    shownInstances += instances.length;
    const rows = instances.map((i) => el("tr", { dataset: { id: i.id } },
      cell("Instance", el("code", {}, i.id)),
      cell("Address", i.address),
      cell("Port", String(i.port ?? i.sslPort ?? "")),
      cell("Payload", el("code", {}, JSON.stringify(shownPayload(i.payload)) ?? "")),
      cell("Age", el("span", { className: "age", dataset: { since: String(i.registrationTimeUTC) } },
        age(i.registrationTimeUTC))),
      cell("Held by", i.holder ?? "")));
    const head = el("tr", {}, ...["Instance", "Address", "Port", "Payload", "Age", "Held by"]
      .map((h) => el("th", { scope: "col" }, h)));
    const n = service.instances.length;
    const details = el("details", { className: "service", dataset: { name: service.name } },
      el("summary", {}, service.name + " ",
        el("span", { className: "count" }, "(" + n + " instance" + (n === 1 ? "" : "s") + ")")),
      rows.length ? el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows))
        : el("p", { className: "none" }, "No instances."));
    details.open = open.has(service.name) || query !== "" || catalog.services.length <= 8;
    details.addEventListener("toggle", () => {
      if (details.open) open.add(service.name); else open.delete(service.name);
    });
    sections.push(details);
  }
  list.replaceChildren(...sections);
  $("empty").hidden = shown > 0 || catalog.services.length === 0;
  // The count follows the search: what is shown, of how many.
  const services = catalog.services.length;
  $("summary").textContent = query
    ? shown + " of " + services + " services, " + shownInstances + " of " + total + " instances"
    : services + " services, " + total + " instances";
  renderBanner();
}

function renderBanner() {
  const banner = $("banner");
  let message = "";
  if (!streamOk) message = "Lost contact with the gateway: reconnecting. The data shown may be out of date.";
  else if (!health.connected || health.stale || catalog.stale) {
    message = "ZooKeeper is unreachable: the data shown is stale (last known state).";
  }
  banner.textContent = message;
  banner.hidden = message === "";
  document.body.classList.toggle("stale", message !== "");
}

function connect() {
  const source = new EventSource("v1/watch");
  source.addEventListener("catalog", (e) => { catalog = JSON.parse(e.data); render(); });
  source.addEventListener("health", (e) => { health = JSON.parse(e.data); renderBanner(); });
  source.addEventListener("open", () => { streamOk = true; renderBanner(); });
  source.addEventListener("error", () => { streamOk = false; renderBanner(); });
}

$("search").addEventListener("input", render);
setInterval(() => {
  for (const span of document.querySelectorAll(".age")) span.textContent = age(Number(span.dataset.since));
}, 1000);
connect();
`;
