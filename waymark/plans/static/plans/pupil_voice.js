// The pupil's views form (plans:pupil-voice-form) ends by itself when it is left.
// The server ends it on the first request after the idle time; this timer makes the page
// itself move to the "ended" page when that time has passed, so a device put down with the
// form open does not keep showing it. Shortly before, it offers "I need more time", which
// sends the form back without saving it and starts the time again.
// A static file: the Content Security Policy allows no inline scripts.

(function () {
  const timer = document.getElementById("pupil-voice-timer");
  if (!timer) return;
  const idleMs = Number(timer.dataset.idleSeconds) * 1000;
  const endedUrl = timer.dataset.endedUrl;
  if (!(idleMs > 0) || !endedUrl) return;
  const warningMs = Math.min(Number(timer.dataset.warningSeconds) * 1000 || 0, idleMs / 2);
  const message = timer.querySelector("[data-timer-message]");
  const more = timer.querySelector("[data-timer-more]");
  const form = document.getElementById("pupil-voice-form");
  // The time runs from when the server last heard from this page: when it was loaded.
  const endsAt = Date.now() + idleMs;
  let warned = false;
  let intervalId = null;

  function tick() {
    const left = endsAt - Date.now();
    if (left <= 0) {
      window.clearInterval(intervalId);
      // replace: the back button must not lead to the form again.
      window.location.replace(endedUrl);
      return;
    }
    if (!warned && left <= warningMs) {
      warned = true;
      if (more) more.hidden = false;
      if (message) message.textContent = message.dataset.warning || "";
    }
  }

  if (form) {
    form.addEventListener("submit", () => window.clearInterval(intervalId));
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") tick();
  });
  intervalId = window.setInterval(tick, 1000);
})();
