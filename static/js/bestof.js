// The best-of card by keyboard, mouse and touch. The card (#best-card) is swapped by htmx, so everything is
// delegated from document and reads its state from the DOM. The keys are listed for people in
// templates/bestof/_keys.html. rate.js (loaded on every page) leaves this card alone: it acts on #card only.
//
// Nothing is saved that the rater has not seen (the site's rules, as on /rate/ and the generation set page:
// static/js/rate.js and static/js/generations.js hold the same rules for their cards):
// - digits and N only select (the image is outlined and the Save button says "Save: image 2 is best"), Enter or
//   Save saves what is selected;
// - a key that arrives while a pick or skip is being saved, or before every image of the card is on screen, is
//   dropped with a short note, never applied to the next card;
// - Enter and Save act only once the images have been on screen <body data-min-look-ms>, and the save is held until
//   the card is <body data-min-served-ms> old (the server's floor counts from when it served the card), so a double
//   Enter never shows an error on a fresh card.
(function () {
  "use strict";

  var NOTE_MS = 3500; // how long a note about ignored keys or the look time stays
  var DROPPED = "Wait for the images: the keys you pressed before they appeared were ignored.";
  var LOOK = "Take a moment to look at the images first, then save.";

  var busy = null;  // the card whose pick or skip is held or being saved; keys are dropped until a new card replaces it
  // The card on screen: when it arrived (the served floor counts from here, or later) and when its images were all shown.
  var shown = { card: null, arrivedAt: 0, at: null };
  var noteText = "";
  var noteUntil = 0;
  var noteTimer = null;

  function card() { return document.getElementById("best-card"); }
  function form() { return document.getElementById("pick-form"); }
  function minLookMs() { return Number(document.body.dataset.minLookMs) || 0; }
  function minServedMs() { return Number(document.body.dataset.minServedMs) || 0; }

  function choices() {
    var f = form();
    return f ? Array.prototype.slice.call(f.querySelectorAll('input[name="winner"]')) : [];
  }

  function checked() {
    var f = form();
    return f && f.querySelector('input[name="winner"]:checked');
  }

  function showError(text) {
    var error = form() && form().querySelector(".field-error");
    if (!error) return;
    error.textContent = text;
    error.dataset.testid = "error";
    error.hidden = !text;
  }

  // ---- the look: every image of the card on screen, for long enough ----

  // A new card (the first, or one htmx swapped in): its clock starts and its images are watched.
  function track() {
    var c = card();
    if (c === shown.card) return;
    shown = { card: c, arrivedAt: performance.now(), at: null };
    if (!c) return;
    c.dataset.look = "loading";
    c.querySelectorAll("img").forEach(function (img) {
      img.addEventListener("load", imagesShown);
      img.addEventListener("error", imagesShown);
    });
    addNote(c);
    imagesShown();
  }

  // True once every image of the card is on screen (loaded, or failed and shown as such). Also asked at each key,
  // so a key typed right after the last image arrived is not dropped because its load event has not run yet.
  function imagesShown() {
    track();
    var c = shown.card;
    if (!c) return false;
    if (shown.at !== null) return true;
    if (!Array.prototype.every.call(c.querySelectorAll("img"), function (img) { return img.complete; })) return false;
    shown.at = performance.now();
    c.dataset.look = "looking";
    setTimeout(function () { c.dataset.look = "done"; }, minLookMs());
    return true;
  }

  function looked() { return imagesShown() && performance.now() - shown.at >= minLookMs(); }

  // A short note about keys that did nothing, beside the progress under the buttons: never over the images or the
  // controls. It fades by itself, and outlives a swap (keys dropped while saving are told on the next card too).
  function addNote(c) {
    var meta = c.querySelector(".best-meta");
    if (!meta || meta.querySelector("[data-key-note]")) return;
    var note = document.createElement("p");
    note.className = "key-note best-key-note";
    note.dataset.keyNote = "";
    note.dataset.testid = "key-note";
    note.setAttribute("role", "status");
    note.hidden = true;
    var progress = meta.querySelector(".progress");
    if (progress) progress.after(note); else meta.prepend(note);
    renderNote();
  }
  function renderNote() {
    var note = card() && card().querySelector("[data-key-note]");
    if (!note) return;
    var left = noteUntil - performance.now();
    var text = left > 0 ? noteText : "";
    note.hidden = !text;
    note.classList.toggle("fading", left > 0 && left <= 400);
    // Set in the next frame, so that a screen reader hears the text of a region that was just shown.
    requestAnimationFrame(function () { if (note.textContent !== text) note.textContent = text; });
  }
  function showNote(text) {
    noteText = text;
    noteUntil = performance.now() + NOTE_MS + 400;
    renderNote();
    clearTimeout(noteTimer);
    noteTimer = setTimeout(function () {
      renderNote(); // fading
      noteTimer = setTimeout(renderNote, 410);
    }, NOTE_MS);
  }

  // ---- selecting and saving ----

  // The Save button says what it will save.
  function updateSummary() {
    var f = form();
    if (!f) return;
    var summary = f.querySelector("[data-summary]");
    var fallback = f.querySelector("[data-summary-default]");
    var input = checked();
    var text = "";
    if (input) {
      var candidate = input.closest(".candidate");
      text = candidate ? "Save: image " + candidate.dataset.position + " is best" : "Save: no clear winner";
      showError("");
    }
    summary.textContent = text;
    if (fallback) fallback.hidden = Boolean(text);
  }

  function select(input) {
    if (!input) return;
    input.checked = true;
    updateSummary();
  }

  function clearSelection() {
    choices().forEach(function (input) { input.checked = false; });
    updateSummary();
  }

  function submit(formId) {
    var f = document.getElementById(formId);
    if (!f) return false;
    if (window.htmx) window.htmx.process(f); // a card swapped in just now may not be wired up yet
    f.requestSubmit();
    return true;
  }

  // Enter or Save: only a pick the rater has looked at, and not before the card is as old as the server asks.
  // The look comes first: an Enter that lands on a fresh card (a double Enter) gets the note, never an error.
  function save() {
    if (!looked()) { showNote(LOOK); return; }
    if (!checked()) {
      showError("Pick the best image (1–" + (choices().length - 1) + ") or N for no clear winner, then press Enter.");
      return;
    }
    var c = card();
    busy = c;
    var wait = minServedMs() - (performance.now() - shown.arrivedAt);
    if (wait <= 0) { submit("pick-form"); return; }
    // Held: the Save button says so, and keys are dropped until the next card is on screen.
    var summary = form().querySelector("[data-summary]");
    if (summary) summary.textContent = "Saving\u2026";
    form().querySelector("button.save").setAttribute("aria-disabled", "true");
    setTimeout(function () {
      if (card() === c && busy === c) submit("pick-form");
    }, wait);
  }

  var HANDLED = /^([0-9]|Enter|Escape|Backspace|[nNsS?])$/;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var c = card();
    if (!c) return;
    var target = event.target;
    var tag = (target.tagName || "").toLowerCase();
    if ((tag === "input" && target.type === "text") || tag === "textarea" || tag === "select") return;
    var key = event.key;
    if (!HANDLED.test(key)) return;
    // Dropped, never kept for the next card: a key while saving, or before the images are on screen.
    if ((busy && busy === c) || (form() && !imagesShown())) { event.preventDefault(); showNote(DROPPED); return; }
    if (key === "Enter" && (tag === "button" || tag === "summary" || tag === "a")) return; // the click below decides
    event.preventDefault();
    var help = document.getElementById("best-keys-help");
    if (key === "?") { if (help) help.open = !help.open; return; }
    if (!form()) return;
    var inputs = choices();
    var none = inputs[inputs.length - 1]; // "no clear winner" comes last
    if (/^[1-9]$/.test(key)) {
      var n = Number(key);
      if (n <= inputs.length - 1) select(inputs[n - 1]);
      return;
    }
    switch (key) {
      case "0": case "n": case "N": select(none); return;
      case "Enter": save(); return;
      case "Escape": case "Backspace":
        if (help && help.open) help.open = false; else clearSelection();
        return;
      case "s": case "S": busy = c; submit("skip-group-form"); return;
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.name === "winner" && event.target.closest("#best-card")) updateSummary();
  });

  // A click (or Enter on a focused button) on Save goes by the same rules as Enter; Skip waits for nothing but a save
  // in flight.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#best-card button[type=submit]");
    if (!button) return;
    if (busy && busy === card()) { event.preventDefault(); showNote(DROPPED); return; }
    if (!button.classList.contains("save")) return;
    event.preventDefault();
    save();
  }, true);

  document.addEventListener("submit", function (event) {
    if (event.target.id === "pick-form" && !checked()) {
      event.preventDefault();
      showError("Pick the best image, or No clear winner, first.");
    }
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "best-card") busy = target;
  });

  document.addEventListener("htmx:afterSwap", track);

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "best-card") return;
    busy = null;
    track();
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = true;
    updateSummary();
    // The status line's toasts and the pause's countdown work as on /rate/ (rate.js, loaded on every page).
    if (window.HordeRatings) {
      window.HordeRatings.armToasts();
      window.HordeRatings.startCountdown();
    }
  });

  function requestFailed() {
    busy = null;
    var save = form() && form().querySelector("button.save");
    if (save) save.removeAttribute("aria-disabled");
    updateSummary();
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = false;
  }
  document.addEventListener("htmx:sendError", requestFailed);
  document.addEventListener("htmx:responseError", requestFailed);

  document.addEventListener("DOMContentLoaded", function () {
    track();
    updateSummary();
  });
})();
