/**
 * Headless Chromium driven through the DevTools protocol, for the page's
 * tests: Debian's `chromium` (installed by scripts/install_chromium.sh),
 * started on a free port with a fresh profile, and a WebSocket client small
 * enough to write here (Node 20 has none built in).
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import process from "node:process";
import { systemClock } from "../../src/util/clock.ts";
import { sleep } from "../../src/util/sleep.ts";

const CHROMIUM = "/usr/bin/chromium";

/** A WebSocket connection: text messages only, as the DevTools protocol needs. */
class WebSocketLite {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  onMessage: (text: string) => void = () => {};

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  static connect(url: string): Promise<WebSocketLite> {
    const { hostname, port, pathname } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) });
      const ws = new WebSocketLite(socket);
      let handshake = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        handshake = Buffer.concat([handshake, chunk]);
        const end = handshake.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        const head = handshake.subarray(0, end).toString();
        if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`Handshake: ${head}`));
        socket.on("data", (data: Buffer) => ws.#receive(data));
        ws.#receive(handshake.subarray(end + 4));
        resolve(ws);
      };
      socket.on("data", onData);
      socket.once("error", reject);
      socket.on("connect", () => {
        socket.write(
          `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
            "Sec-WebSocket-Version: 13\r\n\r\n",
        );
      });
    });
  }

  send(text: string): void {
    const payload = Buffer.from(text);
    const length = payload.length;
    const header = length < 126
      ? Buffer.alloc(2)
      : length < 65536
      ? Buffer.alloc(4)
      : Buffer.alloc(10);
    header[0] = 0x81;
    if (length < 126) header[1] = 0x80 | length;
    else if (length < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = randomBytes(4);
    for (let i = 0; i < length; i++) payload[i] ^= mask[i % 4];
    this.#socket.write(Buffer.concat([header, mask, payload]));
  }

  close(): void {
    this.#socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#buffer.length < 2) return;
      const opcode = this.#buffer[0] & 0x0f;
      const fin = (this.#buffer[0] & 0x80) !== 0;
      let length = this.#buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.#buffer.length < 4) return;
        length = this.#buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.#buffer.length < 10) return;
        length = Number(this.#buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.#buffer.length < offset + length) return;
      const payload = this.#buffer.subarray(offset, offset + length);
      this.#buffer = this.#buffer.subarray(offset + length);
      if (opcode === 0x8) return this.close();
      if (opcode === 0x1 || opcode === 0x0) {
        this.#fragments.push(Buffer.from(payload));
        if (fin) {
          const text = Buffer.concat(this.#fragments).toString();
          this.#fragments = [];
          this.onMessage(text);
        }
      }
    }
  }
}

/** A page in the browser. */
export interface Page {
  /** Sends a DevTools command to the page. */
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Evaluates an expression in the page and returns its value. */
  evaluate<T>(expression: string): Promise<T>;
}

/** A running browser. */
export interface Browser extends AsyncDisposable {
  /** Opens a page at `url` and waits for it to load. */
  open(url: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Ends the browser and removes its profile. */
  close(): Promise<void>;
}

/** Removes a profile directory, again while a late helper process still writes to it. */
async function removeProfile(profile: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      return await rm(profile, { recursive: true, force: true });
    } catch (error) {
      if (attempt === 20) throw error;
      await sleep(systemClock, 100);
    }
  }
}

/**
 * Starts headless Chromium.
 *
 * @returns The browser.
 * @throws {Error} When Chromium is not installed.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed (${CHROMIUM}): run bash scripts/install_chromium.sh`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), "chromium-test-"));
  const child: ChildProcess = spawn(CHROMIUM, [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    `--user-data-dir=${profile}`,
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const onExit = () => child.kill("SIGKILL");
  process.on("exit", onExit);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${text}`)), 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", () => reject(new Error(`Chromium exited: ${text}`)));
  });
  const ws = await WebSocketLite.connect(wsUrl);
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  const loaded = new Map<string, () => void>();
  ws.onMessage = (text) => {
    const message = JSON.parse(text);
    if (message.id !== undefined) {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) call?.reject(new Error(message.error.message));
      else call?.resolve(message.result);
    } else if (message.method === "Page.loadEventFired") loaded.get(message.sessionId)?.();
  };
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const close = async () => {
    // Asked to close, Chromium ends its helper processes before it exits;
    // killed, it leaves them writing to the profile while it is removed.
    send("Browser.close").catch(() => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    ws.close();
    process.off("exit", onExit);
    await removeProfile(profile);
  };
  return {
    async open(url, viewport) {
      const { targetId } = await send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true }) as {
        sessionId: string;
      };
      const page: Page = {
        send: (method, params) => send(method, params, sessionId),
        async evaluate<T>(expression: string): Promise<T> {
          const reply = await send("Runtime.evaluate", {
            expression,
            returnByValue: true,
            awaitPromise: true,
          }, sessionId) as {
            result: { value: T };
            exceptionDetails?: { text: string };
          };
          if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.text);
          return reply.result.value;
        },
      };
      await page.send("Page.enable");
      if (viewport) {
        await page.send("Emulation.setDeviceMetricsOverride", {
          ...viewport,
          deviceScaleFactor: 1,
          mobile: viewport.width < 600,
        });
      }
      const load = new Promise<void>((resolve) => loaded.set(sessionId, resolve));
      await page.send("Page.navigate", { url });
      await load;
      return page;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
