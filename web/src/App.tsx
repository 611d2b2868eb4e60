import { useEffect, useRef, type ReactElement } from "react";

import { Layout } from "./components/Layout";
import { Notice } from "./components/Notice";
import { t } from "./i18n";
import { Link, navigate, queryParam, useLocation } from "./router";
import { Gallery } from "./screens/Gallery";
import { Landing } from "./screens/Landing";
import { LogIn } from "./screens/LogIn";
import { MyVideos } from "./screens/MyVideos";
import { Profile } from "./screens/Profile";
import { Rankings } from "./screens/Rankings";
import { SignUp } from "./screens/SignUp";
import { Upload } from "./screens/Upload";
import { useLoggedIn } from "./session";

const PUBLIC: Record<string, () => ReactElement> = {
  "/": () => (
    <>
      {queryParam("sesion") === "cerrada" && <Notice kind="info">{t.profile.loggedOut}</Notice>}
      <Landing />
    </>
  ),
  "/galeria": Gallery,
  "/rankings": Rankings,
  "/ingresar": LogIn,
  "/registro": SignUp,
};
const PRIVATE: Record<string, () => ReactElement> = {
  "/subir": Upload,
  "/mis-videos": MyVideos,
  "/perfil": Profile,
};

function NotFound() {
  return (
    <>
      <h1>{t.notFound.title}</h1>
      <Link to="/">{t.notFound.back}</Link>
    </>
  );
}

/** Sends a visitor without a session to log in, to come back here afterwards. */
function RequireLogin({ children }: { children: ReactElement }) {
  const loggedIn = useLoggedIn();
  const location = useLocation();
  useEffect(() => {
    if (!loggedIn) navigate(`/ingresar?volver=${encodeURIComponent(location)}`, { replace: true });
  }, [loggedIn, location]);
  return loggedIn ? children : <p>{t.loading}</p>;
}

export function App() {
  const location = useLocation();
  const path = location.split("?")[0];
  const first = useRef(true);

  // After a client-side navigation, move focus to the new page so keyboard and screen
  // reader users start at its top, as after a full page load.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>("main h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
    document.title = `${heading?.textContent ?? ""} · ${t.appName}`;
  }, [path]);

  const Public = PUBLIC[path];
  const Private = PRIVATE[path];
  let page: ReactElement;
  if (Public) page = <Public />;
  else if (Private) page = <RequireLogin><Private key={path} /></RequireLogin>;
  else page = <NotFound />;
  return <Layout>{page}</Layout>;
}
