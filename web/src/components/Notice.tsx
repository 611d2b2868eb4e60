import type { ReactNode } from "react";

/** A message announced politely (status) or at once (alert) to assistive technology. */
export function Notice({ kind, children }: { kind: "info" | "error"; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
