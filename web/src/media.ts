// Client-side checks of a chosen file before it is sent, with the server's limits
// (services/videos: MP4, 100 MB, 20–60 s, shorter side ≥ 1080 px). The server re-checks.
export const MAX_UPLOAD_BYTES = 104_857_600;
export const MIN_DURATION_SECS = 20;
export const MAX_DURATION_SECS = 60;
export const MIN_SHORT_SIDE_PX = 1080;
const METADATA_WAIT_MS = 10_000;

export interface VideoFacts {
  duration: number;
  width: number;
  height: number;
}

/**
 * Reads duration and size from the file's own index with a detached <video> element.
 * Null when this browser cannot read it (an odd codec, or not a video at all): then the
 * server decides.
 */
export function readVideoFacts(file: File): Promise<VideoFacts | null> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const video = document.createElement("video");
    const finish = (facts: VideoFacts | null) => {
      window.clearTimeout(timer);
      video.removeAttribute("src");
      video.load();
      URL.revokeObjectURL(url);
      resolve(facts);
    };
    const timer = window.setTimeout(() => finish(null), METADATA_WAIT_MS);
    video.preload = "metadata";
    video.muted = true;
    video.onloadedmetadata = () =>
      finish(
        Number.isFinite(video.duration) && video.videoWidth > 0
          ? { duration: video.duration, width: video.videoWidth, height: video.videoHeight }
          : null,
      );
    video.onerror = () => finish(null);
    video.src = url;
  });
}

export function looksLikeMp4(file: File): boolean {
  return file.type === "video/mp4" || file.name.toLowerCase().endsWith(".mp4");
}
