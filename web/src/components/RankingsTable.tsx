import { useEffect, useState } from "react";

import { watchRankings, type LiveMode } from "../api/liveRankings";
import type { RankingRow } from "../api/types";
import { t } from "../i18n";

/** Rows of the top `limit` players, kept current by the live stream (or polling). */
export function useLiveRankings(limit: number, city: string | null) {
  const [rows, setRows] = useState<RankingRow[] | null>(null);
  const [mode, setMode] = useState<LiveMode>("connecting");
  useEffect(() => {
    const stop = new AbortController();
    setRows(null);
    void watchRankings(limit, city, setRows, setMode, stop.signal);
    return () => stop.abort();
  }, [limit, city]);
  return { rows, mode };
}

export function LiveBadge({ mode }: { mode: LiveMode }) {
  const text = mode === "live" ? t.rankings.live : mode === "polling" ? t.rankings.polling : t.rankings.connecting;
  return (
    <span className={`live-badge live-${mode}`} data-testid="live-mode" data-mode={mode}>
      {text}
    </span>
  );
}

export function RankingsTable({ rows, caption }: { rows: RankingRow[]; caption: string }) {
  if (rows.length === 0) return <p>{t.rankings.empty}</p>;
  return (
    <table className="rankings">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t.rankings.position}</th>
          <th scope="col">{t.rankings.player}</th>
          <th scope="col">{t.rankings.city_col}</th>
          <th scope="col">{t.rankings.votes}</th>
        </tr>
      </thead>
      <tbody aria-live="polite">
        {rows.map((row) => (
          <tr key={row.user_id} data-testid="ranking-row">
            <td>{row.position}</td>
            <th scope="row">{row.username}</th>
            <td>{row.city}</td>
            <td data-testid="ranking-votes">{row.votes}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
