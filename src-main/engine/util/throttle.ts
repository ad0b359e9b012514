/** Calls through at most once per `intervalMs`; `force` bypasses the limit (phase ends, last step). */
export function throttle<T>(intervalMs: number, fn: (value: T) => void): (value: T, force?: boolean) => void {
  let last = -Infinity;
  return (value, force = false) => {
    const now = performance.now();
    if (!force && now - last < intervalMs) return;
    last = now;
    fn(value);
  };
}
