import { useRef, useState, type ChangeEvent, type FormEvent } from "react";

import { ApiError, NETWORK } from "../api/client";
import { uploadVideo, type UploadHandle } from "../api/upload";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { t } from "../i18n";
import {
  looksLikeMp4,
  MAX_DURATION_SECS,
  MAX_UPLOAD_BYTES,
  MIN_DURATION_SECS,
  MIN_SHORT_SIDE_PX,
  readVideoFacts,
} from "../media";
import { Link } from "../router";
import { MAX_TITLE_CHARS, textError } from "../validation";

type Check = { ok: boolean; text: string } | null;

async function checkFile(file: File): Promise<Check> {
  if (!looksLikeMp4(file)) return { ok: false, text: t.upload.notMp4 };
  if (file.size > MAX_UPLOAD_BYTES) {
    return { ok: false, text: t.upload.tooLarge(Math.ceil(file.size / 1_048_576)) };
  }
  const facts = await readVideoFacts(file);
  if (!facts) return { ok: true, text: t.upload.unreadable };
  const secs = Math.round(facts.duration * 10) / 10;
  if (facts.duration < MIN_DURATION_SECS || facts.duration > MAX_DURATION_SECS) {
    return { ok: false, text: t.upload.badDuration(secs) };
  }
  if (Math.min(facts.width, facts.height) < MIN_SHORT_SIDE_PX) {
    return { ok: false, text: t.upload.lowResolution(facts.width, facts.height) };
  }
  return { ok: true, text: t.upload.looksGood(secs, facts.width, facts.height) };
}

export function Upload() {
  const [title, setTitle] = useState("");
  const [isPublic, setIsPublic] = useState(true);
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<Check>(null);
  const [checking, setChecking] = useState(false);
  const [titleError, setTitleError] = useState<string>();
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<{ kind: "info" | "error"; text: string; detail?: string }>();
  const [doneId, setDoneId] = useState<string>();
  const handle = useRef<UploadHandle | null>(null);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0] ?? null;
    setFile(chosen);
    setOutcome(undefined);
    setDoneId(undefined);
    setCheck(null);
    if (!chosen) return;
    setChecking(true);
    const result = await checkFile(chosen);
    setChecking(false);
    setCheck(result);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const bad = textError(title, MAX_TITLE_CHARS);
    setTitleError(bad);
    if (bad || !file || !check?.ok) return;
    setOutcome(undefined);
    setProgress(0);
    handle.current = uploadVideo({ title: title.trim(), isPublic, file }, setProgress);
    try {
      const answer = await handle.current.done;
      setDoneId(answer.video_id);
      setOutcome({ kind: "info", text: t.upload.done });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") {
        setOutcome({ kind: "info", text: t.upload.cancelled });
      } else if (err instanceof ApiError) {
        setOutcome(
          err.status === NETWORK
            ? { kind: "error", text: t.networkError }
            : { kind: "error", text: t.upload.refused, detail: err.message },
        );
      } else {
        throw err;
      }
    } finally {
      handle.current = null;
      setProgress(null);
    }
  };

  const sending = progress !== null;
  const percent = Math.round((progress ?? 0) * 100);
  return (
    <>
      <h1>{t.upload.title}</h1>
      <p>{t.upload.rules}</p>
      <form onSubmit={submit} noValidate className="stack">
        <Field
          name="title"
          label={t.fields.title}
          value={title}
          maxLength={MAX_TITLE_CHARS}
          error={titleError}
          required
          disabled={sending}
          onChange={(event) => setTitle(event.target.value)}
        />
        <div className="field">
          <label htmlFor="video-file">{t.fields.video_file}</label>
          <input
            id="video-file"
            name="video_file"
            type="file"
            accept="video/mp4,.mp4"
            required
            disabled={sending}
            aria-describedby="file-check"
            aria-invalid={check && !check.ok ? true : undefined}
            onChange={choose}
          />
          <p id="file-check" className={check && !check.ok ? "field-error" : "hint"} role="status">
            {checking ? t.upload.checking : check?.text}
          </p>
        </div>
        <div className="checkbox">
          <input
            id="is-public"
            type="checkbox"
            checked={isPublic}
            disabled={sending}
            onChange={(event) => setIsPublic(event.target.checked)}
          />
          <label htmlFor="is-public">{t.fields.is_public}</label>
        </div>
        {sending ? (
          <div className="progress">
            <label htmlFor="upload-progress">{t.upload.progressLabel}</label>
            <progress id="upload-progress" max={100} value={percent} />
            <span aria-live="polite">{t.upload.progress(percent)}</span>
            <button type="button" className="secondary" onClick={() => handle.current?.cancel()}>
              {t.upload.cancel}
            </button>
          </div>
        ) : (
          <button type="submit" disabled={!file || checking || (check !== null && !check.ok)}>
            {t.upload.submit}
          </button>
        )}
      </form>
      {outcome && (
        <Notice kind={outcome.kind}>
          {outcome.text}
          {outcome.detail && (
            <>
              {" "}
              <span className="server-message" data-testid="upload-server-reason" lang="en">
                {outcome.detail}
              </span>
            </>
          )}
          {doneId && (
            <>
              {" "}
              <Link to="/mis-videos">{t.upload.goToMyVideos}</Link>
            </>
          )}
        </Notice>
      )}
    </>
  );
}
