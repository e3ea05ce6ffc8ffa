/**
 * The way every operation of the client goes to the session: its arguments
 * checked and its request built before anything is encoded, whatever is
 * refused turned into a rejection, the call's deadline and signal attached,
 * and the caller's frames put in the errors of replies.
 *
 * @module
 */

import type { CallOptions } from "../session/call.ts";
import type { Request } from "../session/request_encoder.ts";
import type { Session } from "../session/session.ts";
import { checkCall, checkOptions, type Subject } from "./arguments.ts";
import { withCallerFrames } from "./caller_frames.ts";
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
   * A refusal is made here, in the caller's stack; the error of a reply is
   * made where nothing of the caller is left, and gets the frames of the code
   * awaiting the call.
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
    try {
      // The path is checked first: the messages that follow quote it.
      if (path !== undefined && typeof path !== "string") this.#paths.toServer(path);
      const subject: Subject = { verb, path };
      const o = checkOptions(subject, options);
      // Without a deadline or a signal, the call needs no guard.
      const call = checkCall(subject, o, this.#requestTimeout);
      const request = build(o, subject);
      const reply = this.#session.submit(request, call);
      return this.#callerStacks ? withCallerFrames(reply) : reply;
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
