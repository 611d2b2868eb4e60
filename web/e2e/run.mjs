// Browser test of the app, run by deploy/local/test against a running platform: Debian's
// Chromium, headless, driven by playwright-core (no browser download). Two players, A on a
// phone-sized screen and B on a desktop one, go through every screen; a screenshot of each
// lands in ANB_E2E_OUT. Any console error the test did not provoke on purpose fails it.
//
//   ANB_BASE_URL=http://127.0.0.1:8080 ANB_E2E_OUT=/tmp/shots \
//   ANB_E2E_CLIP=clip.mp4 ANB_E2E_NOT_VIDEO=not-a-video.mp4 node e2e/run.mjs

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const base = required("ANB_BASE_URL");
const out = required("ANB_E2E_OUT");
const clip = required("ANB_E2E_CLIP");
const notVideo = required("ANB_E2E_NOT_VIDEO");
const executablePath = process.env.ANB_CHROMIUM ?? "/usr/bin/chromium";
const PROCESSING_WAIT_MS = Number(process.env.ANB_E2E_PROCESSING_WAIT_MS ?? 240_000);
const STEP_WAIT_MS = 20_000;
const UPLOAD_WAIT_MS = 120_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

mkdirSync(out, { recursive: true });
const run = Date.now().toString(36);
const password = "Canasta2026";
const title = `Mi mejor jugada ${run}`;
const players = {
  a: { first: "Ana", last: `Pérez ${run}`, email: `ana.${run}@example.com`, city: "Medellín" },
  b: { first: "Bruno", last: `Díaz ${run}`, email: `bruno.${run}@example.com`, city: "Cali" },
};

const consoleErrors = [];
// Requests that fail on purpose in a step register here, so their console line is expected.
const expectedHttpErrors = new Set();
const shots = [];
let step = "start";

function watch(page, who) {
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    const status = /status of (\d{3})/.exec(text)?.[1];
    if (status && expectedHttpErrors.has(status)) return;
    consoleErrors.push(`[${who} @ ${step}] ${text} (${message.location().url ?? ""})`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`[${who} @ ${step}] uncaught: ${error.message}`));
  page.setDefaultTimeout(STEP_WAIT_MS);
}

async function shot(page, name) {
  const path = join(out, `${String(shots.length + 1).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed at ${step}: ${message}`);
}

async function expectingHttpError(status, action) {
  expectedHttpErrors.add(status);
  try {
    return await action();
  } finally {
    // Console lines arrive asynchronously; give them a moment before closing the window.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectedHttpErrors.delete(status);
  }
}

async function navTo(page, name) {
  await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
}

async function signUp(page, player, { showValidation = false } = {}) {
  await navTo(page, "Registrarse");
  await page.getByRole("heading", { name: "Crear cuenta de jugador" }).waitFor();
  const fill = async (label, value) => page.getByLabel(label, { exact: true }).fill(value);
  await fill("Nombre", player.first);
  await fill("Apellido", player.last);
  await fill("Correo electrónico", player.email);
  await fill("Ciudad", player.city);
  await fill("País", "Colombia");
  if (showValidation) {
    // Mirrors the server's rules before anything is sent.
    await fill("Contraseña", "corta");
    await fill("Repite la contraseña", "otra");
    await page.getByRole("button", { name: "Crear cuenta" }).click();
    await page.getByText("Al menos 8 caracteres, con una minúscula").last().waitFor();
    await page.getByText("Las contraseñas no coinciden.").waitFor();
    await shot(page, "signup-validation");
  }
  await fill("Contraseña", password);
  await fill("Repite la contraseña", password);
  await page.getByRole("button", { name: "Crear cuenta" }).click();
  await page.waitForURL(`${base}/subir`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // The test runs as root in CI, where Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required"],
  });
  try {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
      locale: "es-CO",
    });
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "es-CO" });
    const a = await phone.newPage();
    const b = await desktop.newPage();
    watch(a, "A");
    watch(b, "B");

    step = "landing";
    await a.goto(base);
    await a.getByRole("heading", { name: "La vitrina de los nuevos talentos del baloncesto" }).waitFor();
    await shot(a, "landing-phone");

    step = "keyboard";
    await a.keyboard.press("Tab");
    const focused = await a.evaluate(() => document.activeElement?.textContent);
    check(focused === "Saltar al contenido", `first Tab stop is the skip link, got ${focused}`);

    step = "sign-up A";
    await signUp(a, players.a, { showValidation: true });

    step = "upload cancel";
    const cdp = await phone.newCDPSession(a);
    await cdp.send("Network.enable");
    // About 1 MB/s upstream so the progress bar moves visibly and can be cancelled.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 1_000_000,
    });
    await uploadForm(a, title, clip, { makePublic: false });
    await a.getByRole("button", { name: "Subir", exact: true }).click();
    const bar = a.getByRole("progressbar", { name: "Progreso de la subida" });
    await bar.waitFor();
    await a.waitForFunction(() => Number(document.querySelector("progress")?.value ?? 0) > 0);
    await shot(a, "upload-progress");
    await a.getByRole("button", { name: "Cancelar subida" }).click();
    await a.getByText("Subida cancelada.").waitFor();

    step = "upload";
    await a.getByRole("button", { name: "Subir", exact: true }).click();
    const seen = new Set();
    const uploadDeadline = Date.now() + UPLOAD_WAIT_MS;
    while (!(await a.getByText("Video subido. Lo estamos procesando.").isVisible())) {
      check(Date.now() < uploadDeadline, "the upload finished in time");
      const value = await a.evaluate(() => document.querySelector("progress")?.value);
      if (value !== undefined) seen.add(Number(value));
      await a.waitForTimeout(100);
    }
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    check([...seen].some((value) => value > 0 && value < 100), `progress between 0 and 100 seen: ${[...seen]}`);
    await shot(a, "upload-done");

    step = "processing";
    await a.getByRole("link", { name: "Ver mis videos" }).click();
    const card = a.getByTestId("my-video").filter({ hasText: title });
    await card.waitFor();
    const firstStatus = await card.getAttribute("data-status");
    await shot(a, "my-videos-pending");
    const loads = await a.evaluate(() => performance.getEntriesByType("navigation").length);
    await card.and(a.locator('[data-status="processed"]')).waitFor({ timeout: PROCESSING_WAIT_MS });
    const reloaded = await a.evaluate(() => performance.getEntriesByType("navigation").length);
    check(loads === reloaded, "no reload while waiting for processing");
    console.log(`video went from ${firstStatus} to processed without reload`);
    await card.locator("video").waitFor();
    await shot(a, "my-videos-processed");

    step = "publish";
    await card.getByRole("button", { name: "Publicar" }).click();
    await a.getByText("Video publicado para votación.").waitFor();
    await card.getByText("Publicado para votación").waitFor();
    check((await card.getByRole("button", { name: "Eliminar" }).count()) === 0, "published videos cannot be deleted");
    await shot(a, "my-videos-published");

    step = "rankings A";
    await navTo(a, "Rankings");
    await a.getByTestId("live-mode").and(a.locator('[data-mode="live"]')).waitFor();

    step = "sign-up B";
    await b.goto(base);
    await signUp(b, players.b);

    step = "gallery B";
    const mediaRanges = [];
    b.on("response", (response) => {
      if (new URL(response.url()).pathname.startsWith("/media/")) {
        mediaRanges.push({ status: response.status(), range: response.request().headers().range });
      }
    });
    await navTo(b, "Galería");
    const entry = b.getByTestId("gallery-video").filter({ hasText: title });
    await entry.waitFor();
    await entry.getByText(`Ana Pérez ${run}`).waitFor();
    await entry.getByRole("button", { name: `Votar por «${title}»` }).click();
    await entry.getByRole("button", { name: "Ya votaste" }).waitFor();
    check((await entry.getByTestId("gallery-votes").textContent()) === "1 voto", "gallery shows 1 vote");

    step = "seek";
    const position = await entry.locator("video").evaluate(
      (video) =>
        new Promise((resolve, reject) => {
          const seek = () => {
            video.addEventListener("seeked", () => resolve(video.currentTime), { once: true });
            video.currentTime = 10;
          };
          video.addEventListener("error", () => reject(new Error(`media error ${video.error?.code}`)));
          if (video.readyState >= 1) seek();
          else video.addEventListener("loadedmetadata", seek, { once: true });
        }),
    );
    check(Math.abs(position - 10) < 0.5, `player seeked to 10 s, at ${position}`);
    check(mediaRanges.some((r) => r.status === 206), `a range request answered 206: ${JSON.stringify(mediaRanges)}`);
    console.log(`player seeked to ${position.toFixed(2)} s; media answers: ${mediaRanges.map((r) => r.status)}`);
    await shot(b, "gallery-voted-desktop");

    step = "vote remembered";
    await b.reload();
    await entry.getByRole("button", { name: "Ya votaste" }).waitFor();

    step = "city filter";
    await b.getByLabel("Filtrar por ciudad").fill("medellin");
    await b.getByRole("button", { name: "Filtrar", exact: true }).click();
    await entry.waitFor();
    await b.getByLabel("Filtrar por ciudad").fill("Cali");
    await b.getByRole("button", { name: "Filtrar", exact: true }).click();
    await b.getByText("No hay videos publicados de Cali.").waitFor();

    step = "live rankings A";
    const row = a.getByTestId("ranking-row").filter({ hasText: `Ana Pérez ${run}` });
    await row.getByTestId("ranking-votes").and(a.getByText("1", { exact: true })).waitFor();
    check(
      (await a.getByTestId("live-mode").getAttribute("data-mode")) === "live",
      "rankings arrived over the live stream",
    );
    await shot(a, "rankings-live-phone");
    await a.getByLabel("Ciudad").fill("Medellín");
    await a.getByRole("button", { name: "Ver", exact: true }).click();
    await row.waitFor();
    await shot(a, "rankings-city-phone");

    step = "not a video";
    await navTo(a, "Subir video");
    await uploadForm(a, "Esto no es un video", notVideo, { makePublic: true });
    await a.getByText("Este navegador no pudo leer el video").waitFor();
    const answer = await expectingHttpError("400", async () => {
      const response = a.waitForResponse((r) => r.url().endsWith("/api/videos/upload"));
      await a.getByRole("button", { name: "Subir", exact: true }).click();
      return (await response).json();
    });
    const reason = a.getByTestId("upload-server-reason");
    await reason.waitFor();
    check((await reason.textContent()) === answer.error, `the server's reason is shown: ${answer.error}`);
    console.log(`text file refused with ${answer.code}: ${answer.error}`);
    await shot(a, "upload-refused");

    step = "profile";
    await navTo(a, "Perfil");
    await a.getByText(players.a.email).waitFor();
    await shot(a, "profile-phone");

    step = "session expiry";
    await expectingHttpError("401", async () => {
      // The token dies behind the app's back, as when it expires or is revoked elsewhere.
      const revoked = await b.evaluate(async () => {
        const { token } = JSON.parse(localStorage.getItem("anb.session"));
        const answer = await fetch("/api/auth/logout", {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        });
        return answer.status;
      });
      check(revoked === 200, `token revoked (${revoked})`);
      await navTo(b, "Mis videos");
      await b.waitForURL(/\/ingresar\?volver=%2Fmis-videos&expirada=1$/);
    });
    await b.getByText("Tu sesión terminó.").waitFor();
    await shot(b, "session-expired-desktop");
    await b.getByLabel("Correo electrónico").fill(players.b.email);
    await b.getByLabel("Contraseña").fill(password);
    await b.getByRole("button", { name: "Ingresar", exact: true }).click();
    await b.waitForURL(`${base}/mis-videos`);
    await b.getByText("Aún no has subido videos.").waitFor();

    step = "log-out";
    await navTo(a, "Perfil");
    await a.getByRole("button", { name: "Cerrar sesión" }).click();
    await a.getByText("Cerraste sesión.").waitFor();
    await a.getByRole("navigation").getByRole("link", { name: "Ingresar" }).waitFor();
    await shot(a, "logged-out-phone");
  } finally {
    await browser.close();
  }
}

async function uploadForm(page, title, file, { makePublic }) {
  if (!page.url().endsWith("/subir")) await navTo(page, "Subir video");
  await page.getByLabel("Título del video").fill(title);
  await page.getByLabel("Publicarlo para votación cuando esté procesado").setChecked(makePublic);
  await page.getByLabel("Archivo de video (MP4)").setInputFiles(file);
  await page.locator("#file-check").filter({ hasText: /\S/ }).waitFor();
  await page.getByText("Revisando el archivo…").waitFor({ state: "detached" });
}

try {
  await main();
} catch (error) {
  console.error(`browser test failed at step "${step}": ${error.stack ?? error}`);
  process.exitCode = 1;
}
console.log(`screenshots (${shots.length}):\n${shots.map((path) => `  ${path}`).join("\n")}`);
if (consoleErrors.length > 0) {
  console.error(`console errors:\n${consoleErrors.map((line) => `  ${line}`).join("\n")}`);
  process.exitCode = 1;
}
console.log(process.exitCode ? "browser test FAILED" : "browser test passed");
