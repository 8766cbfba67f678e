// The rating card by keyboard, mouse and touch, and the status line. The card is
// swapped by htmx, so everything is delegated from document and reads its state
// from the DOM. The keys are listed for people in templates/ratings/_keys.html.
//
// Rules that keep a rater from saving what they did not mean, or what they did not see:
// - nothing is saved until Enter (or a click on Save): digits only select;
// - digits always set the rating (0 is 10, so "1" then "0" is 10); the artifacts take "A" then
//   0-5, and "A" stays armed for two seconds only; the tags take "T" then 1-5, each turning one tag
//   on or off (never saving: tags go with the rating), and "T" is armed as "A" is;
// - a key that arrives while the card is being replaced, or before the new image is on screen,
//   is dropped (never applied to the next image), and a short note says so;
// - Enter or Save saves only an image that has been on screen RATING_MIN_LOOK_MS
//   (body data-min-look-ms); a save is held until its card is RATING_MIN_SECONDS old
//   (data-min-served-ms), the server's own floor, so an honest rater is never refused.
// The look, the held save and the note are written once, for every rating page, in static/js/look.js.
(function () {
  "use strict";

  var look = window.HordeRatings.look;
  var ARM_MS = 2000;   // how long "A" waits for its artifacts digit, and "T" for its tag's
  var TOAST_MS = 7000;
  var DROPPED = "Wait for the next image: the keys you pressed before it appeared were ignored.";
  var LOOK = "Take a moment to look at the image first, then save.";
  var root = document.documentElement;
  root.classList.add("js");

  var busy = false;          // an htmx request for the card is in flight
  var holding = null;        // the timer of a save held until the card is old enough
  var droppedInFlight = false; // keys were dropped while the card was being replaced: say so on the new one
  var cardArrivedAt = 0;     // performance.now() when the card's answer arrived
  var cardLook = null;       // the look at the card's image (look.js)
  var armedAt = null;        // when "A" armed the artifacts scale (or "T" the tags)
  var armedFor = null;       // which: "artifacts" or "tags"
  var armTimer = null;
  var lastInput = "pointer"; // "keyboard" once a key was used: focus follows the card then
  var releasing = false;     // our own submit of the rating form, already decided: let it through

  function card() { return document.getElementById("card"); }
  function rateForm() { return document.getElementById("rate-form"); }
  function image() { var c = card(); return c && c.querySelector('img[data-testid="image"]'); }

  function checked(name) {
    var c = card();
    var input = c && c.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : null;
  }

  function labelOf(name, value) {
    var input = card().querySelector('input[name="' + name + '"][value="' + value + '"]');
    var label = input && input.closest("label");
    var text = label && label.querySelector(".lbl");
    return text ? text.textContent : "";
  }

  // data-step highlights a scale: for the keyboard, the one the digits go to (the rating, or the artifacts
  // while "A" is armed); for the mouse and touch, the artifacts once a rating is chosen, the next step.
  function setStep(step) {
    var c = card();
    if (c) c.dataset.step = step;
  }

  function showError(text) {
    var error = card() && card().querySelector(".rate-form .field-error");
    if (!error) return;
    error.textContent = text;
    error.dataset.testid = "error";
    error.hidden = !text;
  }

  // A short note under the Save button (never over the image or the controls) that fades by itself.
  var note = look.note(function (text, phase) {
    var c = card();
    if (!c) return;
    var element = c.querySelector(".key-note");
    if (!element) {
      if (phase !== "shown") return;
      element = look.createNote("key-note");
      var save = c.querySelector("button.save");
      if (save) save.after(element); else c.prepend(element);
    }
    look.paint(element, text, phase);
  });
  function showNote(text) { note.show(text); }

  function tagInputs() {
    var c = card();
    return c ? Array.prototype.slice.call(c.querySelectorAll('.tags-scale input[name="tags"]')) : [];
  }

  // The Save button says what it will save: "7 · Good · artifacts 1 · Tiny flaws · 2 tags".
  function updateSummary() {
    var c = card();
    var summary = c && c.querySelector("[data-summary]");
    if (!summary) return;
    var rating = checked("rating");
    var artifacts = checked("artifacts");
    var text = "";
    if (rating) {
      text = rating + " · " + labelOf("rating", rating);
      text += artifacts !== null ? " · artifacts " + artifacts + " · " + labelOf("artifacts", artifacts) : " · no artifacts rating";
      var tags = tagInputs().filter(function (input) { return input.checked; }).length;
      if (tags) text += " · " + tags + (tags === 1 ? " tag" : " tags");
    }
    summary.textContent = text;
    if (rating) showError("");
  }

  function choose(name, value) {
    var input = card().querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (input) input.checked = true;
    updateSummary();
    return input;
  }

  function clearChoice(name) {
    card().querySelectorAll('input[name="' + name + '"]').forEach(function (input) { input.checked = false; });
    updateSummary();
  }

  // "T" then 1-5 turns the tag of that number on or off. Never a save: the tags go with the rating.
  function toggleTag(number) {
    var input = tagInputs()[number - 1];
    if (!input) return;
    input.checked = !input.checked;
    updateSummary();
  }

  // "A" arms the artifacts scale: the next digit 0-5 is the artifacts; "T" arms the tags: the next digit 1-5
  // turns a tag on or off. It shows, and lasts ARM_MS.
  function arm(time, what) {
    var scale = card().querySelector(what === "tags" ? ".tags-scale" : ".artifacts-scale");
    if (!scale) return;
    disarm();
    armedAt = time;
    armedFor = what;
    scale.classList.add("armed");
    var hint = scale.querySelector("[data-armed-hint]");
    if (hint) hint.hidden = false;
    setStep(what);
    clearTimeout(armTimer);
    armTimer = setTimeout(disarm, ARM_MS);
  }

  function disarm() {
    armedAt = null;
    armedFor = null;
    clearTimeout(armTimer);
    var c = card();
    if (!c) return;
    c.querySelectorAll(".artifacts-scale, .tags-scale").forEach(function (scale) {
      scale.classList.remove("armed");
      var hint = scale.querySelector("[data-armed-hint]");
      if (hint) hint.hidden = true;
    });
    setStep("rating");
  }

  // The card's image is on screen (look.js). Cards without an image (the pause, nothing left) have nothing to wait for.
  function imageShown() { return !cardLook || cardLook.shown(); }

  // #card's data-look says how far the look is ("loading", "looking", "done"), as on the best-of and set pages.
  function watchImage() {
    var img = image();
    cardLook = new look.Card({ images: img ? [img] : [], arrivedAt: cardArrivedAt, marked: card() });
  }

  // May a key act now? Not while the card is being replaced or a save is held, nor before the image shows.
  function ready() { return !busy && holding === null && imageShown(); }

  // One note per burst: a key that comes while it shows only keeps it up (its text, unchanged, is not said again).
  function drop() {
    if (busy || holding !== null) droppedInFlight = true;
    showNote(DROPPED);
  }

  function submit(formId) {
    var form = document.getElementById(formId);
    if (!form) return false;
    // htmx wires up a card it swapped in only when the swap settles: a key pressed before
    // that would post the form natively and reload the whole page.
    if (window.htmx) window.htmx.process(form);
    releasing = true;
    try { form.requestSubmit(); } finally { releasing = false; }
    return true;
  }

  function saveButton() { var c = card(); return c && c.querySelector("button.save"); }

  // Whether a save may go now, from Enter or from the Save button. When it may not, says why, or
  // holds it until the card is old enough and sends it then. The look time comes first: an Enter
  // that lands on a fresh card (a double Enter) gets the gentle note, never the error.
  function saveMayGo() {
    if (look.minLookMs() > 0 && image() && (!cardLook || !cardLook.looked())) {
      showNote(LOOK);
      return false;
    }
    if (!checked("rating")) {
      showError("Choose a rating from 1 to 10 first, then press Enter or click Save.");
      return false;
    }
    var wait = cardLook ? cardLook.waitMs() : look.minServedMs();
    if (wait > 0) {
      var button = saveButton();
      var label = button && button.querySelector("span");
      if (label) label.textContent = "Saving…";
      if (button) button.setAttribute("aria-disabled", "true");
      holding = setTimeout(function () {
        holding = null;
        if (label) label.textContent = "Save rating";
        if (button) button.removeAttribute("aria-disabled");
        submit("rate-form");
      }, wait);
      return false;
    }
    return true;
  }

  function save() {
    if (saveMayGo()) submit("rate-form");
  }

  // Zoom: the original file, at full resolution, loaded only when asked for.
  function zoomDialog() { return document.getElementById("zoom"); }
  function openZoom() {
    var dialog = zoomDialog();
    if (!dialog || dialog.open) return;
    var img = dialog.querySelector("img");
    if (!img.getAttribute("src")) img.src = img.dataset.original;
    dialog.showModal();
  }
  function closeZoom() {
    var dialog = zoomDialog();
    if (dialog && dialog.open) dialog.close();
  }

  function say(text, kind) {
    var region = document.getElementById("status");
    if (!region) return;
    var p = document.createElement("p");
    p.className = "toast " + (kind || "info");
    p.textContent = text;
    region.replaceChildren(p);
    armToasts();
  }

  // One key, on a card whose image is on screen.
  function handleKey(key, time) {
    var c = card();
    if (!c) return;
    var dialog = zoomDialog();
    if (dialog && dialog.open) {
      if (key === "z" || key === "Z" || key === "Escape") closeZoom();
      return; // nothing else while the rater cannot see the controls
    }
    var report = document.getElementById("report");
    if (report && report.open) {
      var reasonButton = report.querySelector('button[data-key="' + key.toLowerCase() + '"]');
      if (reasonButton) { reasonButton.click(); return; }
      if (key === "o" || key === "O") { document.getElementById("report-note").focus(); return; }
      if (key === "Escape" || key === "r" || key === "R") { report.open = false; return; }
    }
    var help = document.getElementById("keys-help");
    if (key === "?") { if (help) help.open = !help.open; return; }
    if (key === "Escape" && help && help.open) { help.open = false; return; }

    // "A" waits for one key: a digit 0-5 sets the artifacts; anything else disarms it first. "T" likewise, 1-5.
    var armed = armedAt !== null && time - armedAt <= ARM_MS ? armedFor : null;
    if (armedAt !== null) disarm();
    if (!rateForm()) {
      if (key === "u" || key === "U") submit("undo-form");
      return;
    }
    if (armed === "artifacts" && /^[0-5]$/.test(key)) { choose("artifacts", key); return; }
    if (armed === "tags" && /^[1-5]$/.test(key)) { toggleTag(Number(key)); return; }
    if (/^[0-9]$/.test(key)) { choose("rating", key === "0" ? "10" : key); return; }
    switch (key) {
      case "a": case "A": if (armed !== "artifacts") arm(time, "artifacts"); return;
      case "t": case "T": if (armed !== "tags") arm(time, "tags"); return;
      case "Enter": save(); return;
      case "Backspace":
        if (checked("artifacts") !== null) clearChoice("artifacts");
        else clearChoice("rating");
        return;
      case "s": case "S": submit("skip-form"); return;
      case "u": case "U":
        if (submit("undo-form")) return;
        say("There is no rating of the last " + (c.dataset.undoMinutes || "10") + " minutes to undo.", "warning");
        return;
      case "z": case "Z": openZoom(); return;
      case "r": case "R": if (report) report.open = true; return;
    }
  }

  var HANDLED = /^([0-9]|Enter|Backspace|Escape|[aAsSuUzZrRbBnNwWoOtT?])$/;
  var RADIO_KEYS = /^(ArrowUp|ArrowDown|ArrowLeft|ArrowRight| )$/;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = (target.tagName || "").toLowerCase();
    if ((tag === "input" && target.type === "text") || tag === "textarea" || tag === "select") return;
    if (!card()) return;
    // The browser's own keys on a focused rating or artifacts button (or Space on a tag) change the choice too.
    var onRadio = tag === "input" && (target.type === "radio" || target.type === "checkbox") && RADIO_KEYS.test(event.key);
    if (!onRadio && !HANDLED.test(event.key)) return;
    lastInput = "keyboard";
    if (!ready()) {
      event.preventDefault();
      drop();
      return;
    }
    if (onRadio) return;
    // Enter and Space on a focused button or link do what that control says.
    if (event.key === "Enter" && (tag === "button" || tag === "summary" || tag === "a")) return;
    event.preventDefault();
    handleKey(event.key, event.timeStamp);
  });

  document.addEventListener("pointerdown", function () { lastInput = "pointer"; }, true);

  document.addEventListener("change", function (event) {
    if (!event.target.closest || !event.target.closest("#card")) return;
    if (event.target.name === "rating" && lastInput === "pointer") setStep("artifacts");
    if (event.target.name === "rating" || event.target.name === "artifacts" || event.target.name === "tags") updateSummary();
  });

  // A second click on the chosen artifacts value takes it back (the scale is optional). The
  // click on the label comes first; the browser's own click on the radio follows it.
  document.addEventListener("click", function (event) {
    var label = event.target.closest && event.target.closest(".artifacts-scale label.option");
    var input = label && label.querySelector("input");
    if (input && input.checked && event.target !== input) {
      event.preventDefault();
      input.checked = false;
      updateSummary();
      return;
    }
    var zoomLink = event.target.closest && event.target.closest("[data-zoom]");
    if (zoomLink && zoomDialog()) {
      event.preventDefault();
      openZoom();
      return;
    }
    if (event.target.closest && event.target.closest("#zoom")) closeZoom(); // a click or tap anywhere closes it
  });

  // A click or tap on Save (and Enter on the focused Save button) is checked as Enter is. Capturing, on
  // document: a save that may not go yet never reaches htmx's listener on the form.
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "rate-form" || releasing) return;
    if (!busy && holding === null && saveMayGo()) return;
    event.preventDefault();
    event.stopPropagation();
  }, true);

  // In flight: keys are dropped. htmx events bubble from the element that made the request.
  function forCard(event) {
    var target = event.detail && event.detail.target;
    return target && target.id === "card";
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (forCard(event)) busy = true;
  });
  // The answer has arrived: the server served this card before now, so its age counts from here.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (forCard(event)) cardArrivedAt = performance.now();
  });

  function focusCard() {
    var c = card();
    if (!c) return;
    var top = c.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) {
      // The status line sits just above the card (on a phone): keep it in view too, or "Saved: ..." is off screen.
      var status = document.getElementById("status");
      var above = status && status.getBoundingClientRect();
      var from = above && above.height && above.bottom <= top + 1 && top - above.bottom < 40 ? above.top : top;
      window.scrollTo({ top: window.scrollY + from - 8, behavior: "instant" });
    }
    if (lastInput !== "keyboard") return;
    var target = c.querySelector('input[name="rating"]:checked') || c.querySelector('input[name="rating"]') ||
      c.querySelector("[data-testid=paused] a, .empty a, .empty button");
    if (target) target.focus({ preventScroll: true });
  }

  // A new card: its image is watched until it shows, and "A" starts disarmed.
  function startCard() {
    armedAt = null;
    armedFor = null;
    clearTimeout(armTimer);
    clearTimeout(holding);
    holding = null;
    if (lastInput === "keyboard") setStep("rating");
    watchImage();
    updateSummary();
  }

  // htmx fires afterSettle once per settled element: the card and each out-of-band piece (the status line) of
  // the same answer. Only the card's own event ends the request.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!busy || !event.target || event.target.id !== "card") return;
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = true;
    busy = false;
    startCard();
    focusCard();
    armToasts();
    startCountdown();
    if (droppedInFlight) {
      droppedInFlight = false;
      showNote(DROPPED);
    }
  });

  function requestFailed() {
    var banner = document.getElementById("connection-error");
    if (banner) {
      banner.textContent = "The site did not answer; nothing was lost. Try again.";
      banner.hidden = false;
    }
    busy = false;
    droppedInFlight = false;
  }
  document.addEventListener("htmx:sendError", requestFailed);
  document.addEventListener("htmx:responseError", requestFailed);

  // Status toasts fade after a while, unless the pointer or focus is on them.
  function armToasts() {
    var region = document.getElementById("status");
    if (!region) return;
    region.querySelectorAll(".toast:not([data-armed])").forEach(function (toast) {
      toast.dataset.armed = "1";
      if (!toast.querySelector(".close")) {
        var close = document.createElement("button");
        close.type = "button";
        close.className = "close";
        close.setAttribute("aria-label", "Close this message");
        close.textContent = "×";
        close.addEventListener("click", function () { toast.remove(); });
        toast.appendChild(close);
      }
      if (toast.classList.contains("warning") || toast.classList.contains("error")) return;
      setTimeout(function fade() {
        if (toast.matches(":hover, :focus-within")) { setTimeout(fade, 2000); return; }
        toast.classList.add("fading");
        setTimeout(function () { toast.remove(); }, 400);
      }, TOAST_MS);
    });
  }

  // The pause's countdown; the card itself comes back by htmx when the pause ends.
  var countdownTimer = null;
  function startCountdown() {
    clearInterval(countdownTimer);
    var paused = document.querySelector("[data-testid=paused][data-until-ms]");
    if (!paused) return;
    var until = Number(paused.dataset.untilMs);
    function tick() {
      var shown = paused.querySelector(".countdown");
      var left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      if (shown) shown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left <= 0) clearInterval(countdownTimer);
    }
    tick();
    countdownTimer = setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The first card arrived with the page: its first byte came after the server served it.
    var navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    cardArrivedAt = navigation ? navigation.responseStart : 0;
    startCard();
    armToasts();
    startCountdown();
  });

  // For the other cards swapped by htmx (the best-of page): the same toasts and countdown, written once.
  window.HordeRatings.armToasts = armToasts;
  window.HordeRatings.startCountdown = startCountdown;
})();
