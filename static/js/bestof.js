// The best-of card by keyboard, mouse and touch. The card (#best-card) is swapped by htmx, so everything is
// delegated from document and reads its state from the DOM. The keys are listed for people in
// templates/bestof/_keys.html. rate.js (loaded on every page) leaves this card alone: it acts on #card only.
//
// Nothing is saved that the rater has not seen (the site's rules, as on /rate/ and the generation set page):
// - digits and N only select (the image is outlined and the Save button says "Save: image 2 is best"), Enter or
//   Save saves what is selected;
// - a key that arrives while a pick or skip is being saved, or before every image of the card is on screen, is
//   dropped with a short note, never applied to the next card;
// - Enter and Save act only once the images have been on screen <body data-min-look-ms>, and the save is held until
//   the card is <body data-min-served-ms> old (the server's floor counts from when it served the card), so a double
//   Enter never shows an error on a fresh card.
// The look, the held save and the note are written once, for every rating page, in static/js/look.js.
(function () {
  "use strict";

  var look = window.HordeRatings.look;
  var DROPPED = "Wait for the images: the keys you pressed before they appeared were ignored.";
  var LOOK = "Take a moment to look at the images first, then save.";

  var busy = null;  // the card whose pick or skip is held or being saved; keys are dropped until a new card replaces it
  // The card on screen and the look at its images (look.js): the served floor counts from when it arrived here.
  var shown = { card: null, look: null };

  function card() { return document.getElementById("best-card"); }
  function form() { return document.getElementById("pick-form"); }

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
    var arrivedAt = performance.now();
    shown = { card: c, look: null };
    if (!c) return;
    addNote(c);
    shown.look = new look.Card({
      images: Array.prototype.slice.call(c.querySelectorAll("img")), arrivedAt: arrivedAt, marked: c,
    });
  }

  // True once every image of the card is on screen (loaded, or failed and shown as such).
  function imagesShown() {
    track();
    return shown.look !== null && shown.look.shown();
  }

  function looked() { return imagesShown() && shown.look.looked(); }

  // A short note about keys that did nothing, beside the progress under the buttons: never over the images or the
  // controls. It fades by itself, and outlives a swap (keys dropped while saving are told on the next card too).
  var note = look.note(function (text, phase) {
    var element = card() && card().querySelector("[data-key-note]");
    if (element) look.paint(element, text, phase);
  });
  function addNote(c) {
    var meta = c.querySelector(".best-meta");
    if (!meta || meta.querySelector("[data-key-note]")) return;
    var element = look.createNote("key-note best-key-note");
    element.dataset.keyNote = "";
    var progress = meta.querySelector(".progress");
    if (progress) progress.after(element); else meta.prepend(element);
    note.render();
  }
  function showNote(text) { note.show(text); }

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
    var wait = shown.look.waitMs();
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
