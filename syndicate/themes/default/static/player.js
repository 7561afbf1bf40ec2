// Chapter and transcript links, and any #t= link (show notes), seek the episode's player; the
// cue being heard is highlighted.
// The page works without this script: the links then only change the address's #t= fragment.
(function () {
  "use strict";
  var audio = document.querySelector("audio[data-player]");
  if (!audio) { return; }
  var cues = Array.prototype.slice.call(document.querySelectorAll(".transcript [data-cue]"));
  var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapters [data-cue]"));
  var lit = [];

  function seek(seconds, play) {
    if (!isFinite(seconds)) { return; }
    audio.currentTime = seconds;
    if (play) {
      var started = audio.play();
      if (started && started.catch) { started.catch(function () {}); }
    }
  }

  function find(list, t) {
    var found = null;
    for (var i = 0; i < list.length; i++) {
      var start = parseFloat(list[i].getAttribute("data-start"));
      var end = parseFloat(list[i].getAttribute("data-end"));
      if (t >= start && (isNaN(end) ? true : t < end)) { found = list[i]; }
      if (t < start) { break; }
    }
    return found;
  }

  function highlight() {
    var now = [find(cues, audio.currentTime), find(chapters, audio.currentTime)];
    lit.forEach(function (el) {
      if (now.indexOf(el) < 0) { el.classList.remove("current"); el.removeAttribute("aria-current"); }
    });
    now.forEach(function (el) {
      if (el) { el.classList.add("current"); el.setAttribute("aria-current", "true"); }
    });
    lit = now.filter(Boolean);
  }

  // the seconds a #t= fragment names: SECONDS, M:SS or H:MM:SS (Media Fragments' npt forms,
  // "npt:" allowed before them), or undefined for anything else
  function timeOf(fragment) {
    var m = /^#t=(?:npt:)?(?:(\d+):)??(?:(\d+):)?(\d+(?:\.\d+)?)$/.exec(fragment || "");
    if (!m) { return undefined; }
    var s = parseFloat(m[3]);
    if (m[2] === undefined) { return s; }
    var min = parseInt(m[2], 10);
    if (s >= 60 || (m[1] !== undefined && min >= 60)) { return undefined; }
    return (m[1] === undefined ? 0 : parseInt(m[1], 10) * 3600) + min * 60 + s;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-start], a[href^='#t=']") : null;
    if (!link) { return; }
    var start = link.hasAttribute("data-start") ? link.getAttribute("data-start")
      : timeOf(link.getAttribute("href"));
    if (start === undefined) { return; }
    event.preventDefault();
    seek(parseFloat(start), true);
    if (window.history && history.replaceState) { history.replaceState(null, "", link.getAttribute("href")); }
  });
  audio.addEventListener("timeupdate", highlight);
  audio.addEventListener("seeked", highlight);

  // an address's #t= time (on load, and whenever it changes: a timestamp link in the show
  // notes, or an address pasted) seeks too; after load the player then plays from there
  function fromHash(play) {
    var at = timeOf(window.location.hash);
    if (at === undefined) { return; }
    if (audio.readyState >= 1) { seek(at, play); }
    else { audio.addEventListener("loadedmetadata", function () { seek(at, play); }, { once: true }); }
  }
  window.addEventListener("hashchange", function () { fromHash(true); });
  fromHash(false);
})();
