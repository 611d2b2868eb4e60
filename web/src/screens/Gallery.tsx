import { useEffect, useState, type FormEvent } from "react";

import { api, ApiError } from "../api/client";
import type { PublicVideo } from "../api/types";
import { Notice } from "../components/Notice";
import { Player } from "../components/Player";
import { t } from "../i18n";
import { Link, navigate, queryParam, useLocation } from "../router";
import { currentToken, useLoggedIn } from "../session";

const PAGE = 12;

function galleryPath(city: string | null, offset: number): string {
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (city) query.set("city", city);
  return `/api/public/videos?${query}`;
}

export function Gallery() {
  const location = useLocation();
  const city = queryParam("ciudad")?.trim() || null;
  const loggedIn = useLoggedIn();
  const [draft, setDraft] = useState(city ?? "");
  const [videos, setVideos] = useState<PublicVideo[] | null>(null);
  const [more, setMore] = useState(false);
  const [voted, setVoted] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<{ kind: "info" | "error"; text: string }>();

  useEffect(() => {
    const stop = new AbortController();
    setVideos(null);
    api<PublicVideo[]>(galleryPath(city, 0), { signal: stop.signal })
      .then((page) => {
        setVideos(page);
        setMore(page.length === PAGE);
      })
      .catch((err) => {
        if (!stop.signal.aborted) setNotice({ kind: "error", text: String((err as Error).message) });
      });
    return () => stop.abort();
  }, [city]);

  useEffect(() => {
    if (!loggedIn) {
      setVoted(new Set());
      return;
    }
    const stop = new AbortController();
    api<string[]>("/api/user/votes", { auth: true, signal: stop.signal })
      .then((ids) => setVoted(new Set(ids)))
      .catch(() => undefined);
    return () => stop.abort();
  }, [loggedIn]);

  const loadMore = async () => {
    const page = await api<PublicVideo[]>(galleryPath(city, videos?.length ?? 0));
    setVideos([...(videos ?? []), ...page]);
    setMore(page.length === PAGE);
  };

  const vote = async (video: PublicVideo) => {
    setNotice(undefined);
    if (!currentToken()) {
      navigate(`/ingresar?volver=${encodeURIComponent(location)}`);
      return;
    }
    try {
      await api(`/api/public/videos/${video.video_id}/vote`, { method: "POST", auth: true });
      setVoted(new Set(voted).add(video.video_id));
      setVideos((videos ?? []).map((v) => (v.video_id === video.video_id ? { ...v, votes: v.votes + 1 } : v)));
      setNotice({ kind: "info", text: t.gallery.thanks });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) return;
      if (err.code === "already_voted") setVoted(new Set(voted).add(video.video_id));
      setNotice({ kind: "error", text: err.message });
    }
  };

  const filter = (event: FormEvent) => {
    event.preventDefault();
    const next = draft.trim();
    navigate(next ? `/galeria?ciudad=${encodeURIComponent(next)}` : "/galeria");
  };

  return (
    <>
      <h1>{t.gallery.title}</h1>
      <form className="inline-form" onSubmit={filter} role="search">
        <div className="field">
          <label htmlFor="gallery-city">{t.gallery.cityFilter}</label>
          <input id="gallery-city" name="city" value={draft} onChange={(event) => setDraft(event.target.value)} />
        </div>
        <button type="submit">{t.gallery.apply}</button>
        {city && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft("");
              navigate("/galeria");
            }}
          >
            {t.gallery.clear}
          </button>
        )}
      </form>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {videos === null ? (
        <p>{t.loading}</p>
      ) : videos.length === 0 ? (
        <p>{city ? t.gallery.emptyCity(city) : t.gallery.empty}</p>
      ) : (
        <ul className="cards">
          {videos.map((video) => {
            const name = `${video.player.first_name} ${video.player.last_name}`;
            const hasVoted = voted.has(video.video_id);
            return (
              <li key={video.video_id} className="card" data-testid="gallery-video" data-video-id={video.video_id}>
                <h2>{video.title}</h2>
                <p>{t.gallery.by(name, video.player.city)}</p>
                {video.processed_url && (
                  <Player src={video.processed_url} poster={video.poster_url} label={t.gallery.player(video.title)} />
                )}
                <p className="actions">
                  <span data-testid="gallery-votes">{t.myVideos.votes(video.votes)}</span>
                  {!loggedIn ? (
                    <Link to={`/ingresar?volver=${encodeURIComponent(location)}`}>{t.gallery.logInToVote}</Link>
                  ) : (
                    <button
                      type="button"
                      disabled={hasVoted}
                      aria-pressed={hasVoted}
                      aria-label={hasVoted ? t.gallery.voted : t.gallery.voteFor(video.title)}
                      onClick={() => void vote(video)}
                    >
                      {hasVoted ? t.gallery.voted : t.gallery.vote}
                    </button>
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {more && (
        <button type="button" className="secondary" onClick={() => void loadMore()}>
          {t.gallery.more}
        </button>
      )}
    </>
  );
}
