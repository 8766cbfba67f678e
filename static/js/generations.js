// The generation set page (templates/generations/set.html) by keyboard, mouse and touch.
// The keys are listed for people in templates/generations/_keys.html. Without this file the page works
// with plain radio buttons and a review page rendered by the server.
//
// Rules that keep a rater from saving what they did not mean (the site's scheme, as on /rate/ and the best-of page):
// - digits always set the current image's rating (0 is 10, so "1" then "0" is 10 too); its artifacts are set with
//   "A" then 0-5: "A" arms the artifacts scale for two seconds (it is highlighted and says "press 0-5"), the next
//   digit 0-5 sets the artifacts; any other key (A again, Esc, 6-9, which are ratings) disarms it first;
// - nothing is saved until the review was shown and Enter (or Save) pressed, and any change closes the review;
// - a key that arrives before every image is on screen, or while the save is held or in flight, is dropped with a
//   short note, never applied later;
// - the save acts only once the images have been on screen <body data-min-look-ms>, and is held until the page is
//   <body data-min-served-ms> old (the server's floor counts from when it served the page).
// The look, the held save and the note are written once, for every rating page, in static/js/look.js.
(function () {
  "use strict";

  var look = window.HordeRatings.look;
  var ARMED_MS = 2000;  // how long "A" keeps the artifacts scale armed
  var DROPPED = "Wait for the images: the keys you pressed before they appeared were ignored.";
  var SAVING = "Saving: the keys you pressed meanwhile were ignored.";
  var LOOK = "Take a moment to look at the images first, then save.";

  var arrivedAt = performance.now(); // when this page arrived: the served floor counts from here (or later)
  var pageLook = null;               // the look at every image (look.js), once the page is ready
  var busy = false;                  // the save is held or in flight: keys are dropped
  var releasing = false;             // the held save is being sent now
  var armedCard = null;              // the card whose artifacts scale "A" armed
  var armTimer = null;

  function form() { return document.getElementById("gen-form"); }
  function section() { return document.getElementById("gen-set"); }
  function reviewPanel() { return document.getElementById("gen-review"); }
  function cards() { return Array.prototype.slice.call(document.querySelectorAll("#gen-form .gen-card")); }
  function rateable() { return cards().filter(function (c) { return !c.classList.contains("is-censored"); }); }
  function current() { return document.querySelector("#gen-form .gen-card.current") || rateable()[0] || null; }

  function checkedValue(name) {
    var input = form().querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }
  function choose(name, value) {
    if (value === "") {
      form().querySelectorAll('input[name="' + name + '"]').forEach(function (i) { i.checked = i.value === ""; });
    } else {
      var input = form().querySelector('input[name="' + name + '"][value="' + value + '"]');
      if (input) input.checked = true;
    }
    changed();
  }
  function labelOf(name, value) {
    var input = form().querySelector('input[name="' + name + '"][value="' + value + '"]');
    return input ? input.dataset.label || "" : "";
  }

  function setCurrent(card, focus) {
    if (!card) return;
    cards().forEach(function (c) { c.classList.toggle("current", c === card); });
    if (focus) {
      var target = card.querySelector('.gen-rating input:checked:not([value=""])') ||
        card.querySelector(".gen-rating .gen-option:not(.unset) input");
      if (target) target.focus({ preventScroll: true });
      card.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }
  function move(step) {
    var list = rateable();
    var index = list.indexOf(current());
    var next = list[Math.min(list.length - 1, Math.max(0, index + step))];
    setCurrent(next, true);
  }

  // What the form holds now: the ratings, the best, and the best the rules will infer (rules.py, in short).
  function collect() {
    var items = rateable().map(function (card) {
      var id = card.dataset.id;
      return {
        id: id, number: card.dataset.number,
        rating: checkedValue("rating-" + id), artifacts: checkedValue("artifacts-" + id),
      };
    });
    var rated = items.filter(function (i) { return i.rating; });
    var best = checkedValue("best");
    var result = { items: items, rated: rated, best: best, error: "", bestNumber: null, reason: "" };
    var loose = items.filter(function (i) { return !i.rating && i.artifacts; })[0];
    if (loose) { result.error = "Image " + loose.number + ": you chose its artifacts but not its rating. Rate it 1 to 10 too, or clear it (Backspace)."; return result; }
    if (!rated.length && (!best || best === "none")) {
      result.error = best === "none" ? "Rate at least one image: \u201cno image is clearly better\u201d alone says nothing." : "Rate at least one image or pick the best.";
      return result;
    }
    if (best === "none") { result.reason = "You said no image is clearly better."; return result; }
    var numberOf = function (id) { return (items.filter(function (i) { return i.id === id; })[0] || {}).number; };
    if (best && !rated.length && items.length === 1) { result.error = "This set has only one image, so there is no best to pick: rate it instead."; return result; }
    if (items.length < 2) {
      result.reason = "";
      return result;
    }
    var top = Math.max.apply(null, rated.map(function (i) { return Number(i.rating); }).concat([0]));
    var tied = rated.filter(function (i) { return Number(i.rating) === top; });
    if (best) {
      if (tied.length > 1 && !tied.some(function (i) { return i.id === best; })) {
        result.error = "Images " + tied.map(function (i) { return i.number; }).join(", ") + " share the top rating (" + top + "); the best must be one of them.";
        return result;
      }
      result.bestNumber = numberOf(best);
      result.reason = "Your pick.";
    } else if (rated.length === 1) {
      var from = Number(section().dataset.singleBestFrom || 7);
      if (top >= from) { result.bestNumber = rated[0].number; result.reason = "The only image you rated, rated " + from + " or more, counts as the best."; }
      else result.reason = "No best: a single rating counts as the best from " + from + " up.";
    } else if (tied.length === 1) {
      result.bestNumber = tied[0].number;
      result.reason = "It holds the top rating alone, so it counts as the best.";
    } else {
      result.reason = "No best: images " + tied.map(function (i) { return i.number; }).join(", ") + " share the top rating. Press B on one of them to pick it.";
    }
    return result;
  }

  function scoreText(item) {
    var text = item.rating + " \u00b7 " + labelOf("rating-" + item.id, item.rating);
    if (item.artifacts) text += ", " + labelOf("artifacts-" + item.id, item.artifacts);
    return text;
  }

  function showError(text) {
    var error = document.getElementById("gen-error");
    if (!error) return;
    error.textContent = text;
    error.hidden = !text;
    if (text) error.dataset.testid = "error";
  }

  // After every change: the chosen labels, the best badge, the live summary; the review closes.
  function changed() {
    var state = collect();
    cards().forEach(function (card) {
      var id = card.dataset.id;
      var chosenRating = card.querySelector('[data-chosen="rating"]');
      var chosenArtifacts = card.querySelector('[data-chosen="artifacts"]');
      var rating = checkedValue("rating-" + id);
      var artifacts = checkedValue("artifacts-" + id);
      if (chosenRating) chosenRating.textContent = rating ? rating + " \u00b7 " + labelOf("rating-" + id, rating) : "";
      if (chosenArtifacts) chosenArtifacts.textContent = artifacts ? artifacts + " \u00b7 " + labelOf("artifacts-" + id, artifacts) : "";
      card.classList.toggle("is-best", state.bestNumber !== null && card.dataset.number === String(state.bestNumber));
      card.classList.toggle("is-picked", state.best === id);
    });
    var summary = document.querySelector("#gen-form .gen-summary");
    if (summary) {
      var parts = [state.rated.length + " of " + state.items.length + " rated"];
      if (state.best === "none") parts.push("no clear best");
      else if (state.bestNumber) parts.push("best: image " + state.bestNumber + (state.best ? "" : " (by the ratings)"));
      summary.textContent = parts.join(" \u00b7 ");
    }
    closeReview();
    if (!state.error) showError("");
    return state;
  }

  function openReview() {
    var state = collect();
    if (state.error) { showError(state.error); return; }
    showError("");
    var panel = reviewPanel();
    var lines = panel.querySelector("[data-review-lines]");
    lines.replaceChildren();
    state.items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = "Image " + item.number + ": " + (item.rating ? scoreText(item) : "not rated");
      lines.appendChild(li);
    });
    panel.querySelector("[data-review-best]").textContent =
      (state.bestNumber ? "Best: image " + state.bestNumber + ". " : "") + state.reason;
    var save = panel.querySelector("button.save");
    save.firstChild.textContent = "Save and send to the Horde: " + state.rated.length + " rating" + (state.rated.length === 1 ? "" : "s") +
      (state.bestNumber ? ", best image " + state.bestNumber : state.best === "none" ? ", no clear best" : "") + " ";
    panel.hidden = false;
    section().classList.add("reviewing");
    save.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "nearest" });
  }
  function closeReview() {
    var panel = reviewPanel();
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    section().classList.remove("reviewing");
  }
  function reviewing() { var panel = reviewPanel(); return panel && !panel.hidden; }

  // ---- the look: every image on screen, for long enough (look.js) ----
  function images() { return Array.prototype.slice.call(form().querySelectorAll(".gen-picture img")); }
  function watchImages() {
    pageLook = new look.Card({ images: images(), arrivedAt: arrivedAt, marked: section() });
  }
  function shown() { return pageLook !== null && pageLook.shown(); }
  function looked() { return pageLook !== null && pageLook.looked(); }

  // A short note about keys that did nothing, where it covers neither the images nor the controls: in the bar
  // under the images (on a phone, in place of the summary), or in the review while it is open. It fades by itself.
  var note = look.note(function (text, phase) {
    var inReview = reviewing();
    document.querySelectorAll("#gen-form [data-key-note]").forEach(function (element) {
      // Shown in the one place that fits now; it fades and goes where it was shown.
      var here = phase === "shown" ? inReview === Boolean(element.closest("#gen-review")) : !element.hidden;
      look.paint(element, text, here ? phase : "hidden");
    });
  });
  function showNote(text) { note.show(text); }
  function addNotes() {
    [form().querySelector(":scope > .gen-bar .gen-summary"), reviewPanel().querySelector(".gen-bar")].forEach(function (where) {
      if (!where) return;
      var element = look.createNote("key-note gen-key-note");
      element.dataset.keyNote = "";
      if (where.classList.contains("gen-summary")) where.after(element); else where.prepend(element);
    });
  }

  function saveButton() { return reviewPanel().querySelector("button.save"); }
  function save() { form().requestSubmit(saveButton()); }

  // ---- artifacts: "A" then 0-5 ----
  function arm(card) {
    disarm();
    armedCard = card;
    card.dataset.step = "artifacts";
    armTimer = setTimeout(disarm, ARMED_MS);
  }
  function disarm() {
    clearTimeout(armTimer);
    if (armedCard) armedCard.dataset.step = "rating";
    armedCard = null;
  }

  function digitKey(key) {
    var card = current();
    if (!card) return;
    var id = card.dataset.id;
    var armed = armedCard === card;
    disarm();
    if (armed && /^[0-5]$/.test(key)) choose("artifacts-" + id, key);
    else choose("rating-" + id, key === "0" ? "10" : key);
  }

  function clearKey() {
    var card = current();
    if (!card) return;
    var id = card.dataset.id;
    if (checkedValue("artifacts-" + id)) choose("artifacts-" + id, "");
    else if (checkedValue("rating-" + id)) choose("rating-" + id, "");
  }

  function toggleBest(value) {
    if (checkedValue("best") === value) choose("best", "");
    else choose("best", value);
  }

  var HANDLED = /^([0-9]|Enter|Escape|Backspace|Delete|Arrow(Left|Right|Up|Down)|[aAbBjJkKnN?])$/;

  document.addEventListener("keydown", function (event) {
    if (!form() || !reviewPanel()) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = (target.tagName || "").toLowerCase();
    if ((tag === "input" && target.type === "text") || tag === "textarea" || tag === "select") return;
    var key = event.key;
    if (/^(Shift|CapsLock|Control|Alt|AltGraph|Meta|Dead|Unidentified)$/.test(key)) return; // on the way to a key
    if (!HANDLED.test(key)) { disarm(); return; }
    // Dropped, never kept for later: a key while the save is held or in flight, or before the images are on screen.
    if (busy) { event.preventDefault(); showNote(SAVING); return; }
    if (!shown()) { event.preventDefault(); showNote(DROPPED); return; }
    var help = document.getElementById("keys-help");
    var wasArmed = armedCard !== null;
    if (!/^[0-9]$/.test(key)) disarm();
    if (key === "?") { if (help) help.open = !help.open; event.preventDefault(); return; }
    if (reviewing()) {
      if (key === "Enter" && tag !== "button") { event.preventDefault(); save(); }
      else if (key === "Escape" || key === "Backspace") { event.preventDefault(); closeReview(); setCurrent(current(), true); }
      return; // Enter on the focused Save button clicks it: the submit below decides
    }
    // Enter and Space on a focused button, link or summary do what that control says.
    if (key === "Enter" && (tag === "button" || tag === "summary" || tag === "a")) return;
    var handled = true;
    if (/^[0-9]$/.test(key)) digitKey(key);
    else if (key === "a" || key === "A") { if (!wasArmed && current()) arm(current()); }
    else if (key === "ArrowRight" || key === "ArrowDown" || key === "j" || key === "J") move(1);
    else if (key === "ArrowLeft" || key === "ArrowUp" || key === "k" || key === "K") move(-1);
    else if (key === "b" || key === "B") { if (current()) toggleBest(current().dataset.id); }
    else if (key === "n" || key === "N") { if (form().querySelector('input[name="best"][value="none"]')) toggleBest("none"); }
    else if (key === "Backspace" || key === "Delete") clearKey();
    else if (key === "Escape") { if (!wasArmed && help && help.open) help.open = false; }
    else if (key === "Enter") openReview();
    else handled = false;
    if (handled) event.preventDefault();
  });

  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("#gen-form .gen-card");
    if (card && !card.classList.contains("is-censored")) setCurrent(card, false);
  });

  document.addEventListener("change", function (event) {
    if (!event.target.closest || !event.target.closest("#gen-form")) return;
    changed();
  });

  // A second click on a chosen value takes it back (every scale, and the best, is optional).
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var label = event.target.closest("#gen-form .gen-option, #gen-form .gen-best-pick, #gen-form .gen-none");
    var input = label && label.querySelector("input");
    if (input && input.checked && input.value && event.target !== input) {
      event.preventDefault();
      choose(input.name, "");
      return;
    }
    var card = event.target.closest("#gen-form .gen-card");
    if (card && !card.classList.contains("is-censored")) setCurrent(card, false);
    if (event.target.closest("[data-action=change]")) { closeReview(); setCurrent(current(), true); }
  });

  // The Review button: the review panel instead of the server's review page. Save (by Enter or a click): only
  // once the images were looked at, once, and held until the page is as old as the server's floor asks.
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "gen-form" || !reviewPanel()) return;
    var submitter = event.submitter;
    if (!submitter || submitter.name !== "confirmed") { event.preventDefault(); if (!busy) openReview(); return; }
    if (releasing) { releasing = false; return; }
    var state = collect();
    if (state.error) { event.preventDefault(); closeReview(); showError(state.error); return; }
    if (busy) { event.preventDefault(); showNote(SAVING); return; }
    if (!looked()) { event.preventDefault(); showNote(LOOK); return; }
    busy = true;
    saveButton().firstChild.textContent = "Saving\u2026 ";
    var wait = pageLook.waitMs();
    if (wait <= 0) return;
    event.preventDefault();
    setTimeout(function () {
      if (!reviewing()) { busy = false; return; } // the rater went back to change something (the review says it again)
      releasing = true;
      form().requestSubmit(saveButton());
    }, wait);
  });

  // Back to this page from the next one (the browser's back/forward cache): nothing is being saved any more.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { busy = false; releasing = false; if (reviewing()) openReview(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!form() || !reviewPanel()) return;
    document.documentElement.classList.add("gen-js");
    cards().forEach(function (card) { card.dataset.step = "rating"; });
    addNotes();
    watchImages();
    changed();
  });
})();
