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

// A half-typed form marked data-draft (a caller on the phone) survives a slow call: it is kept in
// this tab's sessionStorage, never sent anywhere, and put back after a reload or a new sign-in.
// The page that confirms the booking clears it, and so does the form's reset button. The form
// token is never kept.
(function () {
  const done = document.querySelector("[data-draft-clear]");
  if (done) {
    window.sessionStorage.removeItem("draft:" + done.dataset.draftClear);
  }
  const typed = function (element) {
    return ["text", "tel", "email", "textarea"].includes(element.type) && element.value !== "";
  };
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    const key = "draft:" + form.dataset.draft;
    const saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
    if (saved && !Array.from(form.elements).some(typed)) {
      Array.from(form.elements).forEach(function (element) {
        if (!element.name || element.name === "csrf_token") {
          return;
        }
        const values = saved.filter(function (pair) { return pair[0] === element.name; })
          .map(function (pair) { return pair[1]; });
        if (element.type === "checkbox" || element.type === "radio") {
          element.checked = values.includes(element.value);
        } else if (values.length) {
          element.value = values[0];
        }
      });
      // What listens for changes (the repeat-caller warning) checks the restored values too, once
      // htmx has set up the page.
      document.addEventListener("DOMContentLoaded", function () {
        Array.from(form.elements).filter(typed).forEach(function (element) {
          element.dispatchEvent(new Event("change", { bubbles: true }));
        });
      });
    }
    // What narrows a list (the slot filter) is not part of the caller's draft.
    const skipped = new Set(Array.from(form.querySelectorAll("[data-draft-skip] [name]"))
      .map(function (element) { return element.name; }));
    const save = function () {
      const pairs = Array.from(new FormData(form).entries())
        .filter(function (pair) { return pair[0] !== "csrf_token" && !skipped.has(pair[0]); });
      window.sessionStorage.setItem(key, JSON.stringify(pairs));
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    // The call ended without a booking: its draft must not come back on the next caller's form.
    form.addEventListener("reset", function () { window.sessionStorage.removeItem(key); });
  });
})();

// Uploads (forms marked data-upload) show how much has been sent; a file over the limit is
// refused before it is sent, and a failed upload says so in the form. Without JavaScript the
// same form posts as plain multipart.
(function () {
  const uploadForm = function (event) {
    return event.target.closest ? event.target.closest("form[data-upload]") : null;
  };
  const say = function (form, text) {
    form.querySelector(".upload-status").textContent = text;
  };
  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = uploadForm(event);
    if (!form) {
      return;
    }
    const file = (form.querySelector('input[type="file"]').files || [])[0];
    if (file && file.size > Number(form.dataset.maxBytes)) {
      event.preventDefault();
      say(form, form.dataset.tooLarge);
      return;
    }
    const bar = form.querySelector("progress");
    bar.value = 0;
    bar.hidden = false;
    say(form, "");
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    const form = uploadForm(event);
    if (!form || !event.detail.lengthComputable || !event.detail.total) {
      return;
    }
    // htmx reports the upload, then the download of the answer: the bar only moves forward.
    const bar = form.querySelector("progress");
    bar.value = Math.max(bar.value, Math.round((100 * event.detail.loaded) / event.detail.total));
    say(form, bar.value + "%");
  });
  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      const form = uploadForm(event);
      if (form) {
        form.querySelector("progress").hidden = true;
        say(form, form.dataset.failed);
      }
    });
  });
})();

// A print view's button prints the page (the browser's own print works as well).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});

// In a form marked data-enter-submits (the intake), Enter in the caller's details or on a slot
// presses the form's main button. The slot filter's button comes first in the form so that, without
// JavaScript, Enter narrows the slots and loses nothing; Enter in the filter still does that.
// Enter that confirms a kana-kanji conversion is left to the input method.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) {
    return;
  }
  const field = event.target;
  const form = field.form;
  if (!form || !form.dataset.enterSubmits || field.closest("[data-draft-skip]")) {
    return;
  }
  if (!["text", "tel", "email", "radio", "checkbox"].includes(field.type)) {
    return;
  }
  event.preventDefault();
  form.requestSubmit(document.getElementById(form.dataset.enterSubmits));
});
