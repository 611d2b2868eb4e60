import { LiveBadge, RankingsTable, useLiveRankings } from "../components/RankingsTable";
import { t } from "../i18n";
import { Link } from "../router";

const TOP = 5;

export function Landing() {
  const { rows, mode } = useLiveRankings(TOP, null);
  return (
    <>
      <section className="hero">
        <h1>{t.landing.title}</h1>
        <p>{t.landing.purpose}</p>
        <p className="actions">
          <Link to="/registro" className="button">
            {t.landing.playerCta}
          </Link>
          <Link to="/galeria" className="button secondary">
            {t.landing.fanCta}
          </Link>
        </p>
      </section>
      <section aria-labelledby="top-title">
        <h2 id="top-title">
          {t.landing.topTitle} <LiveBadge mode={mode} />
        </h2>
        {rows === null ? (
          <p>{t.loading}</p>
        ) : rows.length === 0 ? (
          <p>{t.landing.noPlayers}</p>
        ) : (
          <RankingsTable rows={rows} caption={t.landing.topTitle} />
        )}
        <p>
          <Link to="/rankings">{t.landing.allRankings}</Link>
        </p>
      </section>
    </>
  );
}
