/** Test helper: replays a buffer as a stream cut into pieces of the given sizes (cycled). */
export async function* pieces(data: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let offset = 0;
  let i = 0;
  while (offset < data.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]!);
    yield data.subarray(offset, offset + n);
    offset += n;
  }
}
