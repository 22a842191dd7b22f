// The hub's push: `GET /v1/events` as server-sent events, read with fetch and a stream parser
// (EventSource cannot send an Authorization header, and a token must not go in the URL).
// Resumes with `since=<last event id>` after a drop, a hub restart or a token's expiry, with
// exponential backoff and jitter capped at about 15 s; nothing is kept but the last id.
import type { Auth } from "./auth";

export type LiveState = "live" | "reconnecting" | "forbidden" | "error";

export interface LiveEvent {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
}

const MAX_BACKOFF_MS = 15_000;
const MIN_STREAM_MS = 5_000;

export class Live {
  private controller: AbortController | null = null;
  private generation = 0;
  lastEventId = 0;

  constructor(
    private readonly auth: Auth,
    private readonly onEvent: (event: LiveEvent) => void,
    private readonly onState: (state: LiveState, status?: number) => void,
  ) {}

  /** Follow `area` from event `since` (the board's data_version), replacing any stream. */
  start(area: string, since: number): void {
    this.stop();
    this.lastEventId = since;
    const generation = ++this.generation;
    void this.run(area, generation);
  }

  stop(): void {
    this.generation++;
    this.controller?.abort();
    this.controller = null;
  }

  private async run(area: string, generation: number): Promise<void> {
    let failures = 0;
    while (generation === this.generation) {
      const controller = new AbortController();
      this.controller = controller;
      let status = 0;
      let clean = false;
      const opened = performance.now();
      try {
        const token = await this.auth.token();
        if (generation !== this.generation) return;
        const query = new URLSearchParams({ area, since: String(this.lastEventId) });
        const response = await fetch(`/v1/events?${query.toString()}`, {
          headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
          signal: controller.signal,
          cache: "no-store",
          credentials: "omit",
        });
        status = response.status;
        if (status === 403 || status === 404) {
          this.onState("forbidden", status);
          return;
        }
        if (status === 401) {
          // Expired or revoked: the next token() refreshes, or signs in again.
          await this.auth.rejected();
          if (failures++ < 2) continue;
        } else if (response.ok && response.body) {
          this.onState("live");
          clean = await this.read(response.body, generation);
        }
      } catch {
        // a network drop, a hub restart or an abort: decided below
      }
      if (generation !== this.generation) return;
      // A stream that lasted was a success: the next failure starts the backoff afresh.
      if (status === 200 && performance.now() - opened > MIN_STREAM_MS) failures = 0;
      // A stream that ended by itself after a while (its token expired) resumes at once with a
      // fresh token; one that keeps ending at once (a proxy, a restarting hub) backs off.
      if (clean && performance.now() - opened > MIN_STREAM_MS) continue;
      this.onState(status === 0 || status === 200 || status >= 500 || status === 401 ? "reconnecting" : "error", status);
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++);
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }

  /** True when the hub ended the stream (done), false when this page moved on. */
  private async read(body: ReadableStream<Uint8Array>, generation: number): Promise<boolean> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let id: number | null = null;
    let kind = "message";
    let data = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (generation !== this.generation) return false;
        if (done) return true;
        buffer += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          let line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.endsWith("\r")) line = line.slice(0, -1);
          if (line === "") {
            if (data && id !== null) {
              this.dispatch(id, kind, data);
            }
            id = null;
            kind = "message";
            data = "";
            continue;
          }
          if (line.startsWith(":")) continue; // heartbeat
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? "" : line.slice(colon + 1);
          if (value.startsWith(" ")) value = value.slice(1);
          if (field === "id") id = Number(value);
          else if (field === "event") kind = value;
          else if (field === "data") data = data ? `${data}\n${value}` : value;
        }
      }
    } finally {
      reader.releaseLock();
    }
  }

  private dispatch(id: number, kind: string, data: string): void {
    if (!Number.isFinite(id) || id <= this.lastEventId) return; // already applied
    let parsed: { payload?: Record<string, unknown> };
    try {
      parsed = JSON.parse(data) as { payload?: Record<string, unknown> };
    } catch {
      return;
    }
    this.lastEventId = id;
    this.onEvent({ id, kind, payload: parsed.payload ?? {} });
  }
}
