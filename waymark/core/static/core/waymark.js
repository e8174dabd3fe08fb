// Waymark's page script, loaded on every page by core/layout.html as
// <script type="module">. Pages work without it; it adds:
//  - GOV.UK Frontend and MOJ Frontend components (also inside content that
//    htmx swaps in);
//  - the session timeout warning (WCAG 2.2.1 Timing adjustable), which keeps
//    half-written text in this browser tab across a sign-out and puts it back
//    after the person signs in again.

import { initAll as initGovukFrontend } from "../vendor/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "../vendor/moj-frontend.min.js";

const UNSAVED_TEXT_PREFIX = "waymark:unsaved-text:";
const UNSAVED_TEXT_MAX_AGE_MS = 12 * 60 * 60 * 1000;
const ACTIVITY_KEY = "waymark:session-activity";
// Text is put aside this long before the session ends...
const SAVE_BEFORE_EXPIRY_MS = 5 * 1000;
// ...and the browser goes to the sign-in page just after it has ended, so
// the sign-in page does not find a live session and send the person back.
const LEAVE_AFTER_EXPIRY_MS = 1500;
// How often screen reader users hear the time left (not every second).
const ANNOUNCE_EVERY_MS = 20 * 1000;

const SAVEABLE_FIELDS = [
  "textarea",
  "input:not([type])",
  'input[type="text"]',
  'input[type="email"]',
  'input[type="search"]',
  'input[type="tel"]',
  'input[type="url"]',
  'input[type="number"]',
].join(",");

// ---------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------

function ignoreError() {
  // A component that is already set up throws when set up again; that is
  // expected when htmx swaps in content next to existing components.
}

function initComponents(scope) {
  initGovukFrontend({ scope, onError: ignoreError });
  try {
    initMojFrontend(scope);
  } catch (error) {
    ignoreError(error);
  }
}

// ---------------------------------------------------------------------------
// Half-written text: kept in sessionStorage (this tab only) when the session
// runs out, put back when the same page is opened again after signing in.
// ---------------------------------------------------------------------------

function unsavedTextKey(path = window.location.pathname) {
  return UNSAVED_TEXT_PREFIX + path;
}

function isSaveable(field) {
  return (
    field.name &&
    field.name !== "csrfmiddlewaretoken" &&
    !field.disabled &&
    !field.readOnly &&
    !field.closest("[data-waymark-no-restore]")
  );
}

function collectUnsavedText() {
  const fields = [];
  document.querySelectorAll("form").forEach((form, formIndex) => {
    const seen = new Map();
    for (const field of form.querySelectorAll(SAVEABLE_FIELDS)) {
      if (!isSaveable(field)) continue;
      const occurrence = seen.get(field.name) || 0;
      seen.set(field.name, occurrence + 1);
      if (field.value === field.defaultValue) continue;
      fields.push({ form: formIndex, name: field.name, occurrence, value: field.value });
    }
  });
  return fields;
}

function saveUnsavedText() {
  const fields = collectUnsavedText();
  if (!fields.length) return;
  try {
    window.sessionStorage.setItem(
      unsavedTextKey(),
      JSON.stringify({ path: window.location.pathname, savedAt: Date.now(), fields }),
    );
  } catch {
    // Storage full or switched off: nothing more we can do.
  }
}

function findField(entry) {
  const form = document.querySelectorAll("form")[entry.form];
  const named = (root) =>
    Array.from(root.querySelectorAll(SAVEABLE_FIELDS)).filter(
      (field) => field.name === entry.name && isSaveable(field),
    );
  if (form) {
    const inForm = named(form);
    if (inForm[entry.occurrence]) return inForm[entry.occurrence];
  }
  return named(document)[0] || null;
}

function showRestoredBanner() {
  const main = document.getElementById("main-content");
  if (!main) return;
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  banner.setAttribute("role", "alert");
  banner.setAttribute("aria-labelledby", "restored-text-title");
  banner.setAttribute("data-module", "govuk-notification-banner");

  const header = document.createElement("div");
  header.className = "govuk-notification-banner__header";
  const title = document.createElement("h2");
  title.className = "govuk-notification-banner__title";
  title.id = "restored-text-title";
  title.textContent = "Important";
  header.append(title);

  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  const text = document.createElement("p");
  text.className = "govuk-notification-banner__heading";
  text.textContent = "We restored the text you had typed before you were signed out. Check it and save.";
  content.append(text);

  banner.append(header, content);
  main.prepend(banner);
}

function restoreUnsavedText() {
  let saved;
  try {
    const raw = window.sessionStorage.getItem(unsavedTextKey());
    if (!raw) return;
    window.sessionStorage.removeItem(unsavedTextKey());
    saved = JSON.parse(raw);
  } catch {
    return;
  }
  if (!saved || saved.path !== window.location.pathname || !Array.isArray(saved.fields)) return;
  if (Date.now() - Number(saved.savedAt) > UNSAVED_TEXT_MAX_AGE_MS) return;
  let restored = 0;
  for (const entry of saved.fields) {
    const field = findField(entry);
    if (!field || typeof entry.value !== "string") continue;
    field.value = entry.value;
    // Let character counts and the like catch up.
    field.dispatchEvent(new Event("input", { bubbles: true }));
    restored += 1;
  }
  if (restored) showRestoredBanner();
}

// ---------------------------------------------------------------------------
// Session timeout warning
// ---------------------------------------------------------------------------

function describeTimeLeft(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  }
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

function readSharedActivity() {
  try {
    return Number(window.localStorage.getItem(ACTIVITY_KEY)) || 0;
  } catch {
    return 0;
  }
}

function setUpSessionTimeout() {
  const dialog = document.getElementById("session-timeout-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;

  const timeoutMs = Number(dialog.dataset.timeoutSeconds) * 1000;
  if (!(timeoutMs > 0)) return;
  const warningMs = Math.min(Number(dialog.dataset.warningSeconds) * 1000 || 120 * 1000, timeoutMs / 2);
  const extendUrl = dialog.dataset.extendUrl;
  const signInUrl = dialog.dataset.signInUrl;

  const stayButton = dialog.querySelector("#session-timeout-stay");
  const signOutLink = dialog.querySelector("#session-timeout-sign-out");
  const countdown = dialog.querySelector("#session-timeout-countdown");
  const liveRegion = dialog.querySelector("#session-timeout-live");

  let lastActivity = Date.now();
  let lastAnnounced = 0;
  let textSaved = false;
  let leaving = false;
  let extending = false;
  let closingOnPurpose = false;
  let returnFocusTo = null;
  let intervalId = null;

  function csrfToken() {
    return dialog.dataset.csrfToken || readCookie("csrftoken");
  }

  function markActivity(shareWithOtherTabs = true) {
    lastActivity = Date.now();
    textSaved = false;
    if (shareWithOtherTabs) {
      try {
        window.localStorage.setItem(ACTIVITY_KEY, String(lastActivity));
      } catch {
        // Other tabs will keep their own time.
      }
    }
  }

  function timeLeft() {
    // Another tab's request keeps the same session alive.
    lastActivity = Math.max(lastActivity, readSharedActivity());
    return lastActivity + timeoutMs - Date.now();
  }

  function updateCountdown(remaining, announceNow) {
    const words = describeTimeLeft(remaining);
    countdown.textContent = words;
    const now = Date.now();
    if (announceNow || now - lastAnnounced >= ANNOUNCE_EVERY_MS) {
      liveRegion.textContent = `We will sign you out in ${words}.`;
      lastAnnounced = now;
    }
  }

  function openDialog(remaining) {
    returnFocusTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    updateCountdown(remaining, true);
    dialog.showModal();
    stayButton.focus();
  }

  function closeDialog() {
    if (dialog.open) {
      // The "close" event arrives later, as a task; it resets this flag.
      closingOnPurpose = true;
      dialog.close();
    }
    if (returnFocusTo && document.contains(returnFocusTo)) {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function leaveForSignIn() {
    if (leaving) return;
    leaving = true;
    window.clearInterval(intervalId);
    if (!textSaved) saveUnsavedText();
    const next = window.location.pathname + window.location.search;
    window.location.assign(`${signInUrl}?next=${encodeURIComponent(next)}`);
  }

  async function staySignedIn() {
    if (extending || leaving) return;
    extending = true;
    try {
      const response = await window.fetch(extendUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
      });
      if (response.ok) {
        markActivity();
        lastAnnounced = 0;
        closeDialog();
      } else {
        // The session has already gone (a redirect to sign in, or a 403).
        leaveForSignIn();
      }
    } catch {
      liveRegion.textContent = "We could not reach Waymark. Check your internet connection and try again.";
      lastAnnounced = Date.now();
      if (!dialog.open) dialog.showModal();
      stayButton.focus();
    } finally {
      extending = false;
    }
  }

  function tick() {
    if (leaving || extending) return;
    const remaining = timeLeft();
    if (remaining <= SAVE_BEFORE_EXPIRY_MS && !textSaved) {
      saveUnsavedText();
      textSaved = true;
    }
    if (remaining <= -LEAVE_AFTER_EXPIRY_MS) {
      leaveForSignIn();
    } else if (remaining <= warningMs) {
      if (!dialog.open) openDialog(remaining);
      else updateCountdown(remaining, false);
    } else if (dialog.open) {
      // Activity in another tab extended the session.
      closeDialog();
    }
  }

  // Keyboard: Tab stays inside the dialog; Escape means "stay signed in".
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const focusable = Array.from(
      dialog.querySelectorAll('button:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])'),
    );
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  dialog.addEventListener("close", () => {
    if (closingOnPurpose) {
      closingOnPurpose = false;
      return;
    }
    // Some browsers close a modal dialog on a second Escape regardless.
    if (!leaving) staySignedIn();
  });
  stayButton.addEventListener("click", () => staySignedIn());
  signOutLink.addEventListener("click", () => {
    // A deliberate sign-out: stop the timer and keep nothing.
    leaving = true;
    window.clearInterval(intervalId);
  });

  // Every request to the server restarts the session clock.
  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status) markActivity();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === ACTIVITY_KEY) tick();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") tick();
  });

  markActivity();
  intervalId = window.setInterval(tick, 1000);
}

// ---------------------------------------------------------------------------

restoreUnsavedText();
initComponents(document);
setUpSessionTimeout();

document.addEventListener("htmx:load", (event) => {
  if (event.target === document.body) return;
  initComponents(event.target.parentElement || event.target);
});
