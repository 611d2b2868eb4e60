import { useState, type FormEvent } from "react";

import { LiveBadge, RankingsTable, useLiveRankings } from "../components/RankingsTable";
import { t } from "../i18n";
import { navigate, queryParam } from "../router";

const LIMIT = 20;

export function Rankings() {
  const city = queryParam("ciudad")?.trim() || null;
  const [draft, setDraft] = useState(city ?? "");
  const { rows, mode } = useLiveRankings(LIMIT, city);

  const show = (event: FormEvent) => {
    event.preventDefault();
    const next = draft.trim();
    navigate(next ? `/rankings?ciudad=${encodeURIComponent(next)}` : "/rankings");
  };

  return (
    <>
      <h1>
        {t.rankings.title} <LiveBadge mode={mode} />
      </h1>
      <form className="inline-form" onSubmit={show} role="search">
        <div className="field">
          <label htmlFor="rankings-city">{t.rankings.city}</label>
          <input
            id="rankings-city"
            name="city"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            placeholder={t.rankings.global}
          />
        </div>
        <button type="submit">{t.rankings.show}</button>
        {city && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft("");
              navigate("/rankings");
            }}
          >
            {t.rankings.global}
          </button>
        )}
      </form>
      {rows === null ? (
        <p>{t.loading}</p>
      ) : (
        <RankingsTable rows={rows} caption={t.rankings.caption(city ?? t.rankings.global)} />
      )}
    </>
  );
}
