/**
 * The client's view of its session over time: waiting for the first
 * connection, and the connection states as an async iterator.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import type { Clock } from "../session/clock.ts";
import type { Session } from "../session/session.ts";
import { type ConnectionState, endCode, isFinal } from "../session/state.ts";
import { AsyncQueue } from "./async_queue.ts";

/** Subscribes to state changes; returns the function that unsubscribes. */
export type Subscribe = (listener: (state: ConnectionState) => void) => () => void;

/**
 * Waits until the session connects and `ready` settles (the server's answer to
 * the credentials given at connect); on failure, timeout or abort it closes
 * the session and rejects.
 *
 * @param session The session.
 * @param subscribe Subscribes to its state changes.
 * @param what The connect string, for messages.
 * @param timeout How long to wait, in milliseconds.
 * @param signal Aborts the wait.
 * @param options `ready`: must resolve too once connected; `clock`: times
 *   the wait.
 * @returns Resolves once connected and ready.
 */
export function waitConnected(
  session: Session,
  subscribe: Subscribe,
  what: string,
  timeout: number,
  signal: AbortSignal | undefined,
  options: { ready?: Promise<void> | undefined; clock: Clock },
): Promise<void> {
  const { clock } = options;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      unsubscribe();
      stopRefusals();
      if (error === undefined) return resolve();
      session.close().finally(() => reject(error));
    };
    const unsubscribe = subscribe((state) => {
      if (state.type === "disconnected" || state.type === "connecting") return;
      if (!session.connected) {
        finish(ZooKeeperError.fromServer(endCode(state), "connect to", what));
        return;
      }
      // The credentials are refused after the handshake: AUTHFAILED ends the
      // session, which the state listener reports.
      if (options.ready === undefined) return finish();
      options.ready.then(() => finish(), (error: unknown) => {
        const code = ZooKeeperError.is(error) && error.code !== "CONNECTIONLOSS"
          ? error.code
          : endCode(session.state);
        finish(ZooKeeperError.fromServer(code, "connect to", what, error));
      });
    });
    const onAbort = () =>
      finish(
        new ZooKeeperError("CONNECTIONLOSS", `Cannot connect to "${what}": aborted`, {
          cause: signal?.reason,
        }),
      );
    const timer = clock.setTimeout(() => {
      const last = session.lastError;
      finish(
        new ZooKeeperError(
          "CONNECTIONLOSS",
          `Cannot connect to "${what}": no server answered within ${timeout} ms` +
            (last === undefined ? "" : ` (last error: ${last.message})`),
          { cause: last },
        ),
      );
    }, timeout);
    // Every host refused at once: no server listens there, and waiting the
    // whole timeout would only hide that.
    const stopRefusals = session.onAllRefused((error) =>
      finish(
        new ZooKeeperError(
          "CONNECTIONLOSS",
          `Cannot connect to "${what}": connection refused by every server (${error.message})`,
          { cause: error },
        ),
      )
    );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Every change of connection state, ending after a final state or when
 * `signal` aborts.
 *
 * @param session The session.
 * @param subscribe Subscribes to its state changes.
 * @param signal Stops the iteration.
 * @returns The states.
 */
export function stateStream(
  session: Session,
  subscribe: Subscribe,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<ConnectionState> {
  const onAbort = () => queue.end();
  const queue = new AsyncQueue<ConnectionState>(() => {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  });
  const unsubscribe = subscribe((state) => {
    queue.push(state);
    if (isFinal(state)) queue.end();
  });
  if (session.ended) {
    queue.push(session.state);
    queue.end();
  } else if (signal?.aborted) queue.end();
  else signal?.addEventListener("abort", onAbort, { once: true });
  return queue;
}
