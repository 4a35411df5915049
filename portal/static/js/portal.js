// Behaviour for every page, kept out of the HTML so the CSP can forbid inline script.
"use strict";

// htmx requests carry the form token in a header (the gate checks it after sign-in).
document.addEventListener("htmx:configRequest", function (event) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

// On a phone the staff menu is one row that scrolls sideways: bring the current page's entry into view.
const currentEntry = document.querySelector('.staff-nav [aria-current="page"]');
if (currentEntry) {
  currentEntry.scrollIntoView({ block: "nearest", inline: "center" });
}

// Drafts (below) hold a caller's details: they go when the session does. Every staff page shown
// to someone not signed in (after signing out, or once a session has ended) clears them, and so
// does the sign-out button before it is sent, in case the server cannot be reached.
const DRAFT_PREFIX = "draft:";
let sessionOver = false;
function clearDrafts() {
  sessionOver = true;
  Object.keys(window.sessionStorage)
    .filter(function (key) { return key.startsWith(DRAFT_PREFIX); })
    .forEach(function (key) { window.sessionStorage.removeItem(key); });
}
if (document.body.dataset.signedOut !== undefined) {
  clearDrafts();
}
document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
  form.addEventListener("submit", clearDrafts);
});

// Warn before the idle timeout so nobody loses a half-typed form; any request resets it. When
// the timeout passes, the session is over on the server: its drafts are cleared here too.
(function () {
  const idleSeconds = Number(document.body.dataset.idleSeconds || 0);
  const warning = document.getElementById("idle-warning");
  if (!idleSeconds || !warning) {
    return;
  }
  const warnAfter = Math.max(idleSeconds - 120, idleSeconds * 0.8) * 1000;
  let timer = null;
  let end = null;
  function schedule() {
    window.clearTimeout(timer);
    window.clearTimeout(end);
    warning.hidden = true;
    timer = window.setTimeout(function () { warning.hidden = false; }, warnAfter);
    end = window.setTimeout(clearDrafts, idleSeconds * 1000);
  }
  document.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();

// A half-typed form marked data-draft (a caller on the phone) survives a slow call: it is kept in
// this tab's sessionStorage, never sent anywhere, and put back after a reload. What is stored is
// sealed (AES-GCM) under the key the page carries for this session (data-draft-key), so storage
// never holds a caller's details readable, and a draft of an ended session opens under no later
// one. Without WebCrypto nothing is kept. The page that confirms the booking clears it, and so
// does the form's reset button; the end of the session clears every draft (above). The form
// token is never kept.
(function () {
  // htmx sets the page up when the DOM is loaded; a draft opened before then waits for it.
  let pageReady = false;
  document.addEventListener("DOMContentLoaded", function () { pageReady = true; });
  const done = document.querySelector("[data-draft-clear]");
  if (done) {
    window.sessionStorage.removeItem(DRAFT_PREFIX + done.dataset.draftClear);
  }
  const typed = function (element) {
    return ["text", "tel", "email", "textarea"].includes(element.type) && element.value !== "";
  };
  const bytes = function (base64) {
    return Uint8Array.from(window.atob(base64), function (c) { return c.charCodeAt(0); });
  };
  const base64 = function (data) {
    return window.btoa(String.fromCharCode.apply(null, new Uint8Array(data)));
  };
  const sealingKey = function (form) {
    if (!window.crypto || !window.crypto.subtle || !form.dataset.draftKey) {
      return Promise.resolve(null);
    }
    const raw = bytes(form.dataset.draftKey);
    return window.crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  };
  const seal = function (key, pairs) {
    const nonce = window.crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(pairs));
    return window.crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, key, plain)
      .then(function (sealed) { return base64(nonce) + "." + base64(sealed); });
  };
  const open = function (key, stored) {
    const parts = (stored || "").split(".");
    if (parts.length !== 2) {
      return Promise.resolve(null);
    }
    return window.crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes(parts[0]) }, key, bytes(parts[1]))
      .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); })
      .catch(function () { return null; });
  };
  const restore = function (form, saved, skipped) {
    Array.from(form.elements).forEach(function (element) {
      if (!element.name || element.name === "csrf_token" || skipped.has(element.name)) {
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
    const recheck = function () {
      Array.from(form.elements).filter(typed).forEach(function (element) {
        element.dispatchEvent(new Event("change", { bubbles: true }));
      });
    };
    if (pageReady) {
      recheck();
    } else {
      document.addEventListener("DOMContentLoaded", recheck);
    }
  };
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    const key = DRAFT_PREFIX + form.dataset.draft;
    // What narrows a list (the slot filter) is not part of the caller's draft.
    const skipped = new Set(Array.from(form.querySelectorAll("[data-draft-skip] [name]"))
      .map(function (element) { return element.name; }));
    sealingKey(form).then(function (sealing) {
      if (!sealing) {
        window.sessionStorage.removeItem(key);
        return;
      }
      open(sealing, window.sessionStorage.getItem(key)).then(function (saved) {
        if (saved === null) {
          window.sessionStorage.removeItem(key);  // another session's, or none
        } else if (!Array.from(form.elements).some(typed)) {
          restore(form, saved, skipped);
        }
      });
      let writing = Promise.resolve();
      const save = function () {
        if (sessionOver) {
          return;
        }
        const pairs = Array.from(new FormData(form).entries())
          .filter(function (pair) { return pair[0] !== "csrf_token" && !skipped.has(pair[0]); });
        writing = writing.then(function () { return seal(sealing, pairs); }).then(function (sealed) {
          if (!sessionOver) {
            window.sessionStorage.setItem(key, sealed);
          }
        });
      };
      form.addEventListener("input", save);
      form.addEventListener("change", save);
      // The call ended without a booking: its draft must not come back on the next caller's form.
      form.addEventListener("reset", function () {
        writing = writing.then(function () { window.sessionStorage.removeItem(key); });
      });
    });
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
