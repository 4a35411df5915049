// Behaviour for every page, kept out of the HTML so the CSP can forbid inline script.
"use strict";

// htmx requests carry the form token in a header (the gate checks it after sign-in).
document.addEventListener("htmx:configRequest", function (event) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

// Warn before the idle timeout so nobody loses a half-typed form; any request resets it.
(function () {
  const idleSeconds = Number(document.body.dataset.idleSeconds || 0);
  const warning = document.getElementById("idle-warning");
  if (!idleSeconds || !warning) {
    return;
  }
  const warnAfter = Math.max(idleSeconds - 120, idleSeconds * 0.8) * 1000;
  let timer = null;
  function schedule() {
    window.clearTimeout(timer);
    warning.hidden = true;
    timer = window.setTimeout(function () { warning.hidden = false; }, warnAfter);
  }
  document.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();
