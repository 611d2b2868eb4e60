import type { ReactNode } from "react";

import { t } from "../i18n";
import { Link, useLocation } from "../router";
import { useLoggedIn } from "../session";

function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const here = useLocation().split("?")[0];
  return (
    <Link to={to} aria-current={here === to ? "page" : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const loggedIn = useLoggedIn();
  return (
    <>
      <a className="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          {t.appName}
        </Link>
        <nav aria-label={t.nav.label}>
          <ul>
            <li>
              <NavLink to="/galeria">{t.nav.gallery}</NavLink>
            </li>
            <li>
              <NavLink to="/rankings">{t.nav.rankings}</NavLink>
            </li>
            {loggedIn ? (
              <>
                <li>
                  <NavLink to="/subir">{t.nav.upload}</NavLink>
                </li>
                <li>
                  <NavLink to="/mis-videos">{t.nav.myVideos}</NavLink>
                </li>
                <li>
                  <NavLink to="/perfil">{t.nav.profile}</NavLink>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink to="/ingresar">{t.nav.logIn}</NavLink>
                </li>
                <li>
                  <NavLink to="/registro">{t.nav.signUp}</NavLink>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
