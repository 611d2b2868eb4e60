/**
 * A processed video. `preload="metadata"` fetches only the index; the gateway answers the
 * range requests the browser makes when the user seeks.
 */
export function Player({ src, poster, label }: { src: string; poster?: string | null; label: string }) {
  return (
    <video
      className="player"
      src={src}
      poster={poster ?? undefined}
      controls
      preload="metadata"
      playsInline
      aria-label={label}
    />
  );
}
