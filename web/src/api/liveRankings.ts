import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";

import { VotesService } from "../gen/anb/votes/v1/votes_pb";
import { api } from "./client";
import type { RankingRow } from "./types";

export type LiveMode = "connecting" | "live" | "polling";

// grpc-web through the gateway (same origin, binary framing). The client is generated
// from proto/anb/votes/v1/votes.proto by `npm run gen`.
const votes = createClient(
  VotesService,
  createGrpcWebTransport({ baseUrl: window.location.origin, useBinaryFormat: true }),
);

const POLL_MS = 3000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;

function rankingsPath(limit: number, city: string | null): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (city) query.set("city", city);
  return `/api/public/rankings?${query}`;
}

/**
 * Follows the top `limit` players (global, or one city) and calls `onRows` with every
 * snapshot. It streams WatchRankings over grpc-web; while the stream is down it polls the
 * REST rankings instead and retries the stream with a growing pause. Stops when `signal`
 * aborts.
 */
export async function watchRankings(
  limit: number,
  city: string | null,
  onRows: (rows: RankingRow[]) => void,
  onMode: (mode: LiveMode) => void,
  signal: AbortSignal,
): Promise<void> {
  let pause = RETRY_MIN_MS;
  while (!signal.aborted) {
    onMode("connecting");
    try {
      const stream = votes.watchRankings({ limit, city: city ?? undefined }, { signal });
      for await (const snapshot of stream) {
        pause = RETRY_MIN_MS;
        onMode("live");
        onRows(
          snapshot.entries.map((entry) => ({
            position: entry.position,
            username: entry.username,
            city: entry.city,
            votes: Number(entry.votes),
            user_id: entry.userId,
          })),
        );
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!(err instanceof ConnectError) || err.code !== Code.Canceled) {
        console.info("live rankings unavailable, polling instead:", String(err));
      }
    }
    // A stream that ended or failed: poll until it is time to try streaming again.
    onMode("polling");
    const until = Date.now() + pause;
    do {
      try {
        onRows(await api<RankingRow[]>(rankingsPath(limit, city), { signal }));
      } catch (err) {
        if (signal.aborted) return;
        console.info("rankings poll failed:", String(err));
      }
      await sleep(Math.min(POLL_MS, Math.max(0, until - Date.now())), signal);
    } while (!signal.aborted && Date.now() < until);
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = window.setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      window.clearTimeout(timer);
      resolve();
    });
  });
}

