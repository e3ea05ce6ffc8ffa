import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { Buffer } from "node:buffer";
import process from "node:process";
import type { Registry } from "../mod.ts";
import type { HttpListener } from "../src/http/node.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { type Browser, launchChromium, type Page } from "./helpers/chromium.ts";
import { eventually } from "./helpers/wait.ts";
import { gatewayOnSocket } from "./helpers/http_servers.ts";

/** Waits until an expression is true in the page. */
function until(page: Page, expression: string, what: string): Promise<void> {
  return eventually(() => page.evaluate<boolean>(expression), what);
}

const ROW = (service: string, id: string) =>
  `document.querySelector('details[data-name="${service}"] tr[data-id="${id}"]') !== null`;
const BANNER = `!document.getElementById("banner").hidden`;

describe("The live page in headless Chromium", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let elsewhere: Registry;
  let http: HttpListener;
  let browser: Browser;

  before(async () => {
    server = fx.server;
    const instance = (address: string, port: number, payload: Record<string, string>) => ({
      address,
      port,
      payload,
      registrationTimeUTC: Date.now() - 3_725_000,
      serviceType: "DYNAMIC",
    });
    ({ elsewhere, http } = await gatewayOnSocket(fx, async (elsewhere) => {
      await elsewhere.setNode("/services/web/web-1", instance("10.0.0.1", 8080, { zone: "a" }));
      await elsewhere.setNode("/services/web/web-2", instance("10.0.0.2", 8080, { zone: "b" }));
      const db = instance("10.0.1.1", 5432, { role: "primary" });
      await elsewhere.setNode("/services/db/db-1", db);
      await elsewhere.setNode("/services/cache/10.0.2.1:6379", {});
    }));
    // Closed before the gateway: the page holds an event stream open.
    browser = await launchChromium();
    fx.defer(() => browser.close());
  });

  it("lists what is registered, shows a new registration without a reload and drops a removed one", async () => {
    const page = await browser.open(`${http.url}/`, { width: 1000, height: 700 });
    await until(page, ROW("web", "web-2") + " && " + ROW("db", "db-1"), "the list");
    assert.equal(
      await page.evaluate<string>(`document.getElementById("summary").textContent`),
      "3 services, 4 instances",
    );
    assert.equal(await page.evaluate<boolean>(BANNER), false);
    await elsewhere.setNode("/services/web/web-3", { address: "10.0.0.3", port: 8081 });
    await until(page, ROW("web", "web-3"), "the new instance");
    await elsewhere.unset("/services/web/web-3");
    await until(page, `!(${ROW("web", "web-3")})`, "the removal");
    const shot = process.env.GATEWAY_SCREENSHOT;
    if (shot !== undefined) {
      const { data } = await page.send("Page.captureScreenshot", { format: "png" });
      await writeFile(shot, Buffer.from(data as string, "base64"));
    }
  });

  it("is keyboard accessible, searchable and fits a phone's width", async () => {
    const page = await browser.open(`${http.url}/`, { width: 390, height: 800 });
    await until(page, ROW("db", "db-1"), "the list");
    assert.ok(await page.evaluate<number>(`document.documentElement.scrollWidth`) <= 390);
    await page.send("Input.dispatchKeyEvent", { type: "keyDown", key: "Tab", code: "Tab" });
    await page.send("Input.dispatchKeyEvent", { type: "keyUp", key: "Tab", code: "Tab" });
    assert.equal(await page.evaluate<string>(`document.activeElement.id`), "search");
    assert.equal(
      await page.evaluate<string>(`document.querySelector('label[for="search"]').textContent`),
      "Search services and instances",
    );
    await page.send("Input.insertText", { text: "primary" });
    await until(
      page,
      `[...document.querySelectorAll("details")].map((d) => d.dataset.name).join() === "db"`,
      "the search to filter",
    );
    // The services are <summary> elements: reachable with Tab, toggled with Enter.
    await page.send("Input.dispatchKeyEvent", { type: "keyDown", key: "Tab", code: "Tab" });
    assert.equal(await page.evaluate<string>(`document.activeElement.tagName`), "SUMMARY");
  });

  it("shows the stale banner while ZooKeeper is unreachable, and keeps the last data", async () => {
    const page = await browser.open(`${http.url}/`, { width: 1000, height: 700 });
    await until(page, ROW("web", "web-1"), "the list");
    await server.stop();
    try {
      await until(page, BANNER, "the stale banner");
      assert.match(
        await page.evaluate<string>(`document.getElementById("banner").textContent`),
        /ZooKeeper is unreachable/,
      );
      assert.equal(await page.evaluate<boolean>(ROW("web", "web-1")), true);
    } finally {
      await server.start();
    }
    await until(page, `!(${BANNER})`, "the banner to go");
  });
});
