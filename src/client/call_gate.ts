/**
 * The way every operation of the client goes to the session: its arguments
 * checked and its request built before anything is encoded, whatever is
 * refused turned into a rejection, and the call's deadline, signal and stack
 * attached.
 *
 * @module
 */

import { type CallControl, type CallOptions, withCaller } from "../session/call.ts";
import type { Request } from "../session/request_encoder.ts";
import type { Session } from "../session/session.ts";
import { checkCall, checkOptions, type Subject } from "./arguments.ts";
import type { Chroot } from "./chroot.ts";

/** The settings every call reads. */
export interface CallGateOptions {
  /** The session the requests go to. */
  readonly session: Session;
  /** Checks the path first: the messages that follow quote it. */
  readonly paths: Chroot;
  /** The deadline of a call that gives none, in milliseconds. */
  readonly requestTimeout: number | undefined;
  /** Whether errors carry the stack of the call that failed. */
  readonly callerStacks: boolean;
}

/** Checks a call, builds its request and submits it. */
export class CallGate {
  readonly #session: Session;
  readonly #paths: Chroot;
  readonly #requestTimeout: number | undefined;
  readonly #callerStacks: boolean;

  /** @param options The session and the settings of calls. */
  constructor(options: CallGateOptions) {
    this.#session = options.session;
    this.#paths = options.paths;
    this.#requestTimeout = options.requestTimeout;
    this.#callerStacks = options.callerStacks;
  }

  /**
   * Runs one operation. Whatever is refused rejects the returned promise
   * rather than throw, so that every failure reaches the caller the same way.
   * The caller's stack is taken here, at the call: the error of a reply is
   * made where nothing of the caller is left.
   *
   * @param verb What the operation does, for messages.
   * @param path The user's path it is about, if any.
   * @param options The caller's options, checked to be an object.
   * @param build Checks the other arguments and builds the request.
   * @returns The reply; rejects, never throws.
   */
  call<T, O extends CallOptions>(
    verb: string,
    path: string | undefined,
    options: O | undefined,
    build: (options: O, subject: Subject) => Request<T>,
  ): Promise<T> {
    const caller = this.#callerStacks ? new Error() : undefined;
    try {
      // The path is checked first: the messages that follow quote it.
      if (path !== undefined && typeof path !== "string") this.#paths.toServer(path);
      const subject: Subject = { verb, path };
      const o = checkOptions(subject, options);
      const { signal, timeout } = checkCall(subject, o, this.#requestTimeout);
      const request = build(o, subject);
      // Without a deadline, a signal or a stack to keep, the call needs no guard.
      const plain = signal === undefined && timeout === undefined && caller === undefined;
      const call: CallControl | undefined = plain ? undefined : { signal, timeout, caller };
      return this.#session.submit(request, call);
    } catch (error) {
      return Promise.reject(withCaller(error as Error, caller));
    }
  }
}
