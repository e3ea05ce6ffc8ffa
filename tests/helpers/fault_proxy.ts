/**
 * The fault proxy of `@nd/service-registry/testing` under the names the tests use.
 *
 * @module
 */

export { type FaultProxy, type ProxyMode, startFaultProxy } from "../../src/testing/mod.ts";
