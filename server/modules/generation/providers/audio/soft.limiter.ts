/**
 * A soft limiter: loud passages saturate gently instead of clipping. A rational approximation of
 * tanh (within 2 % of it, reaching ±1 at ±3), much cheaper per sample than Math.tanh. The master
 * computes it in WebAssembly (audio.kernels.wat); this is its definition, which tests hold the
 * kernel to bit for bit.
 */
export function softLimit(x: number): number {
  if (x >= 3) return 1;
  if (x <= -3) return -1;
  const square = x * x;
  return (x * (27 + square)) / (27 + 9 * square);
}
