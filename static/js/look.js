// "No image is saved unseen", written once for every rating page: the dataset card and the embed (rate.js), the
// best-of card (bestof.js) and the generation set (generations.js). Each page keeps what is its own: which keys
// mean what, where its note sits, what its Save button says. Loaded (deferred) before them, in templates/base.html
// and templates/embed/base.html.
// - A card's images are on screen once each has arrived (or failed: the rater sees that, and may skip or report it).
//   Until then a key never acts on the card: the page drops it and says so in a short note.
// - Enter or Save acts only once the images have been on screen <body data-min-look-ms> (RATING_MIN_LOOK_MS).
// - A save is held until the card is <body data-min-served-ms> old (RATING_MIN_SECONDS, the server's own floor,
//   which counts from when it served the card), so an honest rater, and a double Enter, is never refused.
// - The note ("key-note", styled in static/css/site.css) never covers the images or the controls, and fades by itself.
(function () {
  "use strict";

  var NOTE_MS = 3500; // how long a note about dropped keys or the look time stays
  var FADE_MS = 400;  // then it fades out (site.css: .key-note.fading)

  function floorMs(name) {
    var value = Number(document.body && document.body.dataset[name]);
    return value > 0 ? value : 0;
  }
  function minLookMs() { return floorMs("minLookMs"); }
  function minServedMs() { return floorMs("minServedMs"); }

  // One card's look: new Card({images: [...], arrivedAt: ms, marked: element}). `marked`, if given, says how far
  // the look is in data-look: "loading", "looking", then "done" once the images have been shown long enough.
  function Card(options) {
    var self = this;
    this.images = options.images || [];
    this.arrivedAt = options.arrivedAt;
    this.marked = options.marked || null;
    this.shownAt = null;
    if (this.marked) this.marked.dataset.look = "loading";
    var seen = function () { self.shown(); };
    this.images.forEach(function (img) {
      img.addEventListener("load", seen, { once: true });
      img.addEventListener("error", seen, { once: true });
    });
    this.shown();
  }

  // True once every image is on screen. Also asked at each key, so a key typed right after the last image arrived
  // is not dropped because its load event has not run yet.
  Card.prototype.shown = function () {
    if (this.shownAt !== null) return true;
    if (!this.images.every(function (img) { return img.complete; })) return false;
    this.shownAt = performance.now();
    var marked = this.marked;
    if (marked) {
      marked.dataset.look = "looking";
      setTimeout(function () { marked.dataset.look = "done"; }, minLookMs());
    }
    return true;
  };

  // True once the images have been on screen for the look time.
  Card.prototype.looked = function () {
    return this.shown() && performance.now() - this.shownAt >= minLookMs();
  };

  // How long a save must still be held for the card to be as old as the server asks (0 or less: none).
  Card.prototype.waitMs = function () {
    return minServedMs() - (performance.now() - this.arrivedAt);
  };

  // A new note element; the page places it (under the Save button, beside the progress, in the bar...).
  function createNote(className) {
    var note = document.createElement("p");
    note.className = className;
    note.setAttribute("role", "status");
    note.dataset.testid = "key-note";
    note.hidden = true;
    return note;
  }

  // Shows a note element in one of its phases: "shown" with its text, "fading", or "hidden" (and empty).
  function paint(note, text, phase) {
    if (phase === "hidden") text = "";
    note.classList.toggle("fading", phase === "fading");
    note.hidden = phase === "hidden";
    // Set in the next frame, so that a screen reader hears the text of a region that was just shown; a text that
    // did not change is not set, so it is not said again (one note per burst of keys).
    requestAnimationFrame(function () { if (note.textContent !== text) note.textContent = text; });
  }

  // The page's note: note(render).show(text) shows it for NOTE_MS, fades it, then hides it. render(text, phase)
  // paints the page's note element(s) (with paint); call .render() to paint a note element that was just added.
  function note(render) {
    var text = "";
    var phase = "hidden";
    var timer = null;
    function go(next) { phase = next; render(text, phase); }
    return {
      show: function (value) {
        text = value;
        go("shown");
        clearTimeout(timer);
        timer = setTimeout(function () {
          go("fading");
          timer = setTimeout(function () { go("hidden"); }, FADE_MS);
        }, NOTE_MS);
      },
      render: function () { render(text, phase); },
    };
  }

  var HordeRatings = window.HordeRatings = window.HordeRatings || {};
  HordeRatings.look = {
    minLookMs: minLookMs, minServedMs: minServedMs, Card: Card,
    createNote: createNote, paint: paint, note: note,
  };
})();
