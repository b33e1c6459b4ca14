type Probe<T> = () => Promise<T | undefined | null | false> | T | undefined | null | false;

/** Asks `probe` every 50 ms until it gives a value, which it returns; past `timeoutMs`, fails naming `what`. */
export async function until<T>(what: string, probe: Probe<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
