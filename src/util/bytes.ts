/**
 * Byte arrays joined into one.
 *
 * @module
 */

/**
 * Copies `parts` one after another into a new array.
 *
 * @param parts The arrays, in order.
 * @param total Their summed length, when the caller has it already.
 * @returns One array of every part's bytes.
 */
export function concatBytes(
  parts: readonly Uint8Array[],
  total: number = parts.reduce((n, p) => n + p.length, 0),
): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
