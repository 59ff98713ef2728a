/**
 * Calls `callback` once this process's parent exits. A launcher that does not forward signals
 * (`npx` runs the bin under `sh -c`, and `npm start` does the same) dies on SIGTERM and leaves the
 * runtime orphaned, still serving and holding the database lock; watching the parent turns that
 * into the same graceful stop as a signal. Not armed when the parent is PID 1 or none (a container's
 * init, or already orphaned): there is nothing to lose then.
 *
 * @returns a function that stops watching.
 */
export function onParentExit(callback: () => void, intervalMs = 250): () => void {
  const parent = process.ppid;
  if (parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    // `process.ppid` asks the kernel each time: it changes when the parent is gone and we are re-parented.
    if (process.ppid === parent) return;
    clearInterval(timer);
    callback();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
