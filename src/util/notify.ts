/**
 * Calling every listener of something, so that one that throws neither stops
 * the others nor goes unseen.
 *
 * @module
 */

/**
 * Calls each listener with `value`; what a listener throws goes to `onError`.
 * The set is copied first, so a listener may remove itself or add others.
 *
 * @param listeners The listeners.
 * @param value What they receive.
 * @param onError Receives what each listener throws.
 */
export function notifyAll<T>(
  listeners: Iterable<(value: T) => void>,
  value: T,
  onError: (error: unknown) => void,
): void {
  notifyEach([...listeners], value, onError);
}

/**
 * Calls each listener of a list nobody changes (so not copied first) with
 * `value`; what a listener throws goes to `onError`.
 *
 * @param listeners The listeners.
 * @param value What they receive.
 * @param onError Receives what each listener throws.
 */
export function notifyEach<T>(
  listeners: readonly ((value: T) => void)[],
  value: T,
  onError: (error: unknown) => void,
): void {
  for (let i = 0; i < listeners.length; i++) {
    try {
      listeners[i](value);
    } catch (error) {
      onError(error);
    }
  }
}
