// Server-sent events: the server says when runs (or one run's steps) changed; the page fetches again.

/** Calls <paramref>changed</paramref> on each change event; returns how to stop listening. */
export function watch(run: string | null, changed: (what: "runs" | "run") => void): () => void {
  const source = new EventSource(`/api/v1/events${run ? `?run=${encodeURIComponent(run)}` : ""}`);
  let first = { runs: true, run: true };
  const on = (what: "runs" | "run") => () => {
    // The first event of each kind is the state the page was drawn from.
    if (first[what]) {
      first = { ...first, [what]: false };
      return;
    }
    changed(what);
  };
  source.addEventListener("runs", on("runs"));
  source.addEventListener("run", on("run"));
  return () => source.close();
}
