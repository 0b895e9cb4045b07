/** Reads a whole stream into memory, refusing (with the caller's error) past `max` bytes. */
export async function readBounded(stream: AsyncIterable<Uint8Array>, max: number, tooLarge: () => Error): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of stream) {
    n += c.length;
    if (n > max) throw tooLarge();
    parts.push(c);
  }
  return Buffer.concat(parts);
}
