import { useCallback, useEffect, useRef, useState } from "react";

import { api, ApiError } from "../api/client";
import { sleep } from "../api/liveRankings";
import type { VideoDetail, VideoSummary } from "../api/types";
import { Notice } from "../components/Notice";
import { Player } from "../components/Player";
import { formatDate, t } from "../i18n";
import { Link } from "../router";

const POLL_MS = 2000;
const pending = (video: VideoSummary) => video.status === "uploaded" || video.status === "processing";

/**
 * The caller's videos. The list is polled while any of them is still being processed, and
 * a video's detail (poster, votes, failure reason) is fetched again only when its status
 * changes, so players that are playing are not reset.
 */
export function MyVideos() {
  const [videos, setVideos] = useState<VideoSummary[] | null>(null);
  const [details, setDetails] = useState<Record<string, VideoDetail>>({});
  const [notice, setNotice] = useState<{ kind: "info" | "error"; text: string }>();
  const known = useRef<Record<string, VideoDetail>>({});

  const refresh = useCallback(async (signal?: AbortSignal) => {
    const list = await api<VideoSummary[]>("/api/videos", { auth: true, signal });
    const stale = list.filter((video) => known.current[video.video_id]?.status !== video.status);
    const fresh = await Promise.all(
      stale.map((video) => api<VideoDetail>(`/api/videos/${video.video_id}`, { auth: true, signal })),
    );
    for (const detail of fresh) known.current[detail.video_id] = detail;
    setDetails({ ...known.current });
    setVideos(list);
    return list;
  }, []);

  useEffect(() => {
    const stop = new AbortController();
    void (async () => {
      while (!stop.signal.aborted) {
        try {
          const list = await refresh(stop.signal);
          if (!list.some(pending)) return;
        } catch (err) {
          if (stop.signal.aborted || (err instanceof ApiError && err.status === 401)) return;
          setNotice({ kind: "error", text: t.genericError });
        }
        await sleep(POLL_MS, stop.signal);
      }
    })();
    return () => stop.abort();
  }, [refresh]);

  const act = async (action: () => Promise<unknown>, done: string) => {
    setNotice(undefined);
    try {
      await action();
      setNotice({ kind: "info", text: done });
      await refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) setNotice({ kind: "error", text: err.message });
    }
  };

  const publish = (video: VideoDetail) =>
    act(async () => {
      const updated = await api<VideoDetail>(`/api/videos/${video.video_id}/publish`, {
        method: "POST",
        auth: true,
      });
      known.current[video.video_id] = updated;
    }, t.myVideos.publishedNow);

  const remove = (video: VideoDetail) => {
    if (!window.confirm(t.myVideos.confirmDelete(video.title))) return;
    void act(async () => {
      await api(`/api/videos/${video.video_id}`, { method: "DELETE", auth: true });
      delete known.current[video.video_id];
    }, t.myVideos.deleted);
  };

  return (
    <>
      <h1>{t.myVideos.title}</h1>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {videos === null ? (
        <p>{t.loading}</p>
      ) : videos.length === 0 ? (
        <p>
          {t.myVideos.empty} <Link to="/subir">{t.myVideos.uploadOne}</Link>
        </p>
      ) : (
        <>
          {videos.some(pending) && <p className="hint">{t.myVideos.waiting}</p>}
          <ul className="cards">
            {videos.map((video) => (
              <VideoCard
                key={video.video_id}
                summary={video}
                detail={details[video.video_id]}
                onPublish={publish}
                onDelete={remove}
              />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

interface CardProps {
  summary: VideoSummary;
  detail?: VideoDetail;
  onPublish: (video: VideoDetail) => void;
  onDelete: (video: VideoDetail) => void;
}

function VideoCard({ summary, detail, onPublish, onDelete }: CardProps) {
  const video = detail && detail.status === summary.status ? detail : undefined;
  const published = summary.status === "processed" && summary.is_public;
  const headingId = `video-${summary.video_id}`;
  return (
    <li className="card" aria-labelledby={headingId} data-testid="my-video" data-status={summary.status}>
      <h2 id={headingId}>{summary.title}</h2>
      <p>
        <span className={`status status-${summary.status}`} data-testid="video-status">
          {t.myVideos.status[summary.status] ?? summary.status}
        </span>{" "}
        · {published ? t.myVideos.published : t.myVideos.private}
        {video && <> · {t.myVideos.votes(video.votes)}</>}
      </p>
      <p className="hint">
        {t.myVideos.uploadedAt}: {formatDate(summary.uploaded_at)}
      </p>
      {summary.status === "failed" && video?.failure_reason && (
        <p className="field-error">
          {t.myVideos.failedReason} <span lang="en">{video.failure_reason}</span>
        </p>
      )}
      {video?.processed_url && (
        <Player src={video.processed_url} poster={video.poster_url} label={t.gallery.player(summary.title)} />
      )}
      {video && (
        <div className="actions">
          {summary.status === "processed" && !summary.is_public && (
            <button type="button" onClick={() => onPublish(video)}>
              {t.myVideos.publish}
            </button>
          )}
          {published ? (
            <p className="hint">{t.myVideos.cannotDeletePublished}</p>
          ) : (
            <button type="button" className="danger" onClick={() => onDelete(video)}>
              {t.myVideos.delete}
            </button>
          )}
        </div>
      )}
    </li>
  );
}
