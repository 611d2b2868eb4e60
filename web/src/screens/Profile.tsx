import { useEffect, useState } from "react";

import { api, ApiError } from "../api/client";
import type { Profile as ProfileData } from "../api/types";
import { Notice } from "../components/Notice";
import { formatDate, t } from "../i18n";
import { navigate } from "../router";
import { endSession } from "../session";

export function Profile() {
  const [profile, setProfile] = useState<ProfileData | null>(null);
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    const stop = new AbortController();
    api<ProfileData>("/api/auth/profile", { auth: true, signal: stop.signal })
      .then(setProfile)
      .catch((err) => {
        if (err instanceof ApiError && err.status !== 401) setFailure(err.message);
      });
    return () => stop.abort();
  }, []);

  const logOut = async () => {
    try {
      await api("/api/auth/logout", { method: "POST", auth: true });
    } catch {
      // The token is dropped here whatever the server said; an expired one is already void.
    }
    endSession();
    navigate("/?sesion=cerrada", { replace: true });
  };

  return (
    <>
      <h1>{t.profile.title}</h1>
      {failure && <Notice kind="error">{failure}</Notice>}
      {profile === null ? (
        !failure && <p>{t.loading}</p>
      ) : (
        <dl className="profile">
          <dt>{t.profile.name}</dt>
          <dd>
            {profile.first_name} {profile.last_name}
          </dd>
          <dt>{t.profile.email}</dt>
          <dd>{profile.email}</dd>
          <dt>{t.profile.city}</dt>
          <dd>{profile.city}</dd>
          <dt>{t.profile.country}</dt>
          <dd>{profile.country}</dd>
          <dt>{t.profile.since}</dt>
          <dd>{formatDate(profile.created_at)}</dd>
        </dl>
      )}
      <button type="button" className="secondary" onClick={() => void logOut()}>
        {t.profile.logOut}
      </button>
    </>
  );
}
