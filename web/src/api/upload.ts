import { currentToken } from "../session";
import { ApiError, NETWORK, sessionExpired } from "./client";
import type { Uploaded } from "./types";

export interface UploadHandle {
  done: Promise<Uploaded>;
  cancel: () => void;
}

/**
 * Sends the multipart form of REST row 5 with XMLHttpRequest, the one browser API that
 * reports upload progress. `onProgress` gets the fraction sent, 0 to 1.
 */
export function uploadVideo(
  form: { title: string; isPublic: boolean; file: File },
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Uploaded>((resolve, reject) => {
    const token = currentToken();
    if (!token) {
      sessionExpired();
      reject(new ApiError(401, "not_logged_in", "not logged in"));
      return;
    }
    const body = new FormData();
    body.append("title", form.title);
    body.append("is_public", form.isPublic ? "true" : "false");
    body.append("video_file", form.file, form.file.name);

    xhr.open("POST", "/api/videos/upload");
    xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        onProgress(1);
        resolve(xhr.response as Uploaded);
        return;
      }
      const answer = (xhr.response ?? {}) as { error?: string; code?: string };
      if (xhr.status === 401) sessionExpired();
      reject(
        new ApiError(xhr.status, answer.code ?? `http_${xhr.status}`, answer.error ?? xhr.statusText),
      );
    };
    xhr.onerror = () => reject(new ApiError(NETWORK, "network", "network error"));
    xhr.onabort = () => reject(new DOMException("upload cancelled", "AbortError"));
    xhr.send(body);
  });
  return { done, cancel: () => xhr.abort() };
}
