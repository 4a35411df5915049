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

// Uploads (forms marked data-upload): the chosen file is sent in chunks, each at its offset, with a
// progress bar; after a network failure the script asks the server how far the file got and goes on
// from there, and a page reloaded in the same tab resumes the same file. Once the whole file is on
// the server, the form is submitted with the upload's id in place of the file. A file over the
// limit is refused before anything is sent. Without JavaScript the form posts the file itself.
(function () {
  const RESUME_PREFIX = "upload:";
  const TRIES = 12; // network failures in a row before giving up (about six minutes)

  class Refused extends Error {} // the server's answer ends the upload; its message says why

  const say = function (form, text) {
    form.querySelector(".upload-status").textContent = text;
  };
  const show = function (form, sent, total) {
    const bar = form.querySelector("progress.upload-progress");
    bar.hidden = false;
    bar.value = Math.floor((100 * sent) / total);
    say(form, bar.value + "%");
  };
  const pause = function (milliseconds) {
    return new Promise(function (resolve) { window.setTimeout(resolve, milliseconds); });
  };

  // One request with the form token; resolves with the status and the JSON answer, rejects on a
  // network failure. `progress` hears how many bytes of the body have gone.
  function call(method, url, body, headers, progress) {
    return new Promise(function (resolve, reject) {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.responseType = "json";
      xhr.timeout = 120000;
      xhr.setRequestHeader("X-CSRFToken", document.querySelector('meta[name="csrf-token"]').content);
      Object.entries(headers || {}).forEach(function ([name, value]) { xhr.setRequestHeader(name, value); });
      if (progress) {
        xhr.upload.addEventListener("progress", function (event) { progress(event.loaded); });
      }
      xhr.addEventListener("load", function () { resolve({ status: xhr.status, body: xhr.response || {} }); });
      ["error", "timeout", "abort"].forEach(function (name) {
        xhr.addEventListener(name, function () { reject(new Error(name)); });
      });
      xhr.send(body);
    });
  }

  // The upload of this file for this form: one begun earlier in this tab (if the server still has
  // it), else a new one.
  async function begin(form, file, key) {
    const known = JSON.parse(window.sessionStorage.getItem(key) || "null");
    if (known) {
      const where = await call("GET", known.status).catch(function () { return null; });
      if (where && where.status === 200) {
        return Object.assign(known, { offset: where.body.offset });
      }
      window.sessionStorage.removeItem(key);
    }
    const fields = new FormData();
    fields.append("target", form.getAttribute("action"));
    fields.append("size", String(file.size));
    fields.append("name", file.name);
    const started = await call("POST", form.dataset.uploadStart, fields);
    if (started.status !== 201) {
      throw new Refused(started.body.error || form.dataset.failed);
    }
    const upload = { id: started.body.upload, url: started.body.url, status: started.body.status, chunk: started.body.chunk, offset: 0 };
    window.sessionStorage.setItem(key, JSON.stringify(upload));
    return upload;
  }

  // Every chunk from where the server is, the next one always on its way while the server writes
  // the one before (the server lets it wait for that one); a failed request waits, asks where the
  // server got to, and goes on from there.
  async function sendChunks(form, file, upload) {
    let offset = upload.offset;
    let failures = 0;
    let ahead = null; // the next chunk's request, sent before the answer for this one came
    const sendChunk = function (from) {
      const answer = call(
        "PATCH",
        upload.url,
        file.slice(from, from + upload.chunk),
        { "Upload-Offset": String(from), "Content-Type": "application/offset+octet-stream" },
        function (loaded) {
          if (from === offset) {
            show(form, from + loaded, file.size);
          }
        }
      );
      answer.catch(function () {}); // a failure is handled where the answer is awaited, if it is
      return { from: from, answer: answer };
    };
    show(form, offset, file.size);
    while (offset < file.size) {
      const from = offset;
      const next = from + upload.chunk;
      let current = null;
      if (ahead && ahead.from === from) {
        current = ahead;
        ahead = null;
      }
      if (ahead && ahead.from !== next) {
        await ahead.answer.catch(function () {}); // done with before its chunk could go again
        ahead = null;
      }
      current = current || sendChunk(from);
      if (!ahead && next < file.size) {
        ahead = sendChunk(next);
      }
      try {
        const answer = await current.answer;
        if (answer.status >= 500) {
          throw new Error("server " + answer.status);
        }
        if (answer.status !== 200 && answer.status !== 409) {
          throw new Refused(answer.body.error || form.dataset.failed);
        }
        // After a 409, where the server is: further on if a chunk arrived, behind this one if it
        // came before the one ahead of it was written (then it goes again at once). The server
        // never goes back, so neither does the offset.
        offset = Math.max(offset, answer.body.offset);
        failures = 0;
        if (answer.status === 409 && answer.body.offset === from) {
          await pause(1000); // another request still holds the upload
        }
      } catch (error) {
        if (error instanceof Refused) {
          throw error; // said at once; the chunk ahead, if any, is answered in vain
        }
        if (ahead) {
          await ahead.answer.catch(function () {});
          ahead = null;
        }
        if (++failures > TRIES) {
          throw new Refused(form.dataset.failed);
        }
        show(form, offset, file.size); // back to what the server is known to have
        say(form, form.dataset.resuming);
        await pause(Math.min(30000, 500 * 2 ** failures));
        const where = await call("GET", upload.status).catch(function () { return null; });
        if (where && where.status === 200) {
          offset = where.body.offset;
        } else if (where) {
          throw new Refused(form.dataset.failed); // the upload is gone (the session ended)
        }
      }
      show(form, offset, file.size);
    }
  }

  // Submit the form as it is, with the upload's id where the file was.
  function submitSent(form, upload) {
    const input = form.querySelector('input[type="file"]');
    let sent = form.querySelector("input[data-sent-file]");
    if (!sent) {
      sent = document.createElement("input");
      sent.type = "hidden";
      sent.name = input.name;
      sent.dataset.sentFile = "";
      form.append(sent);
    }
    sent.value = upload.id;
    input.disabled = true;
    form.dataset.uploadSent = "";
    form.requestSubmit();
    input.disabled = false;
    input.value = "";
  }

  document.addEventListener(
    "submit",
    function (event) {
      const form = event.target;
      if (!form.matches || !form.matches("form[data-upload]")) {
        return;
      }
      if (form.dataset.uploadSent !== undefined) {
        delete form.dataset.uploadSent; // the submission after the chunks: let it go
        return;
      }
      const input = form.querySelector('input[type="file"]');
      const file = input && input.files && input.files[0];
      if (!file) {
        return; // nothing chosen: the form goes as it is (with a file it sent before, if any)
      }
      event.preventDefault();
      event.stopImmediatePropagation(); // before htmx hears of it
      if (form.dataset.uploading !== undefined) {
        return;
      }
      if (file.size > Number(form.dataset.maxBytes)) {
        say(form, form.dataset.tooLarge);
        return;
      }
      form.dataset.uploading = "";
      const buttons = form.querySelectorAll("button");
      buttons.forEach(function (button) { button.disabled = true; });
      const key = RESUME_PREFIX + form.getAttribute("action") + ":" + [file.name, file.size, file.lastModified].join(":");
      begin(form, file, key)
        .then(async function (upload) {
          await sendChunks(form, file, upload);
          window.sessionStorage.removeItem(key);
          say(form, form.dataset.sent);
          buttons.forEach(function (button) { button.disabled = false; });
          submitSent(form, upload);
        })
        .catch(function (error) {
          form.querySelector("progress.upload-progress").hidden = true;
          say(form, error instanceof Refused ? error.message : form.dataset.failed);
        })
        .finally(function () {
          delete form.dataset.uploading;
          buttons.forEach(function (button) { button.disabled = false; });
        });
    },
    true
  );

  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      const form = event.target.closest ? event.target.closest("form[data-upload]") : null;
      if (form) {
        form.querySelector("progress.upload-progress").hidden = true;
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
