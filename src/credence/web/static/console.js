// Policy what-if, recomputed in the browser from the per-score counts the page carries (no fetch).
(function () {
  "use strict";
  var dataEl = document.getElementById("whatif-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var form = document.getElementById("whatif-form");
  var num = document.getElementById("threshold");
  var slider = document.getElementById("threshold-slider");
  var select = document.getElementById("policy");
  var bandOf = function (s) {
    for (var i = 0; i < data.bands.length; i++) if (s >= data.bands[i][0]) return data.bands[i][1];
    return "poor";
  };
  var qualifies = function (s, t, dir) { return dir === "at_least" ? s >= t : s < t; };
  var tally = function (counts, base, t, dir) {
    var r = { n: 0, before: 0, after: 0, gained: 0, lost: 0 };
    Object.keys(counts).forEach(function (k) {
      var s = Number(k), n = counts[k], b = qualifies(s, base, dir), a = qualifies(s, t, dir);
      r.n += n; if (b) r.before += n; if (a) r.after += n;
      if (a && !b) r.gained += n; if (b && !a) r.lost += n;
    });
    return r;
  };
  var pct = function (x, n) { return n ? Math.round(100 * x / n) + "%" : "—"; };
  var fmt = function (v) { return typeof v === "number" ? v.toLocaleString("en-US") : v; };
  var set = function (sel, v) { var el = document.querySelector(sel); if (el) el.textContent = fmt(v); };
  function update() {
    var p = data.policies[select.value]; if (!p) return;
    var t = Math.max(350, Math.min(951, parseInt(num.value, 10) || p.threshold));
    var all = tally(data.counts.all, p.threshold, t, p.direction);
    set('[data-testid="wi-threshold"]', t); set('[data-testid="wi-after"]', all.after);
    set('[data-testid="wi-before"]', all.before); set('[data-testid="wi-gained"]', all.gained);
    set('[data-testid="wi-lost"]', all.lost);
    document.querySelectorAll("#wi-bands tbody tr").forEach(function (row) {
      var band = row.getAttribute("data-band"), sub = {};
      Object.keys(data.counts.all).forEach(function (k) { if (bandOf(Number(k)) === band) sub[k] = data.counts.all[k]; });
      var r = tally(sub, p.threshold, t, p.direction), cells = row.querySelectorAll("td");
      [r.n, r.before, r.after, r.gained, r.lost].forEach(function (v, i) { cells[i].textContent = fmt(v); });
    });
    document.querySelectorAll("#wi-groups tbody tr[data-group]").forEach(function (row) {
      var g = data.counts.groups[row.getAttribute("data-group")] || {};
      var r = tally(g, p.threshold, t, p.direction), cells = row.querySelectorAll("td");
      [r.n, pct(r.before, r.n), pct(r.after, r.n), r.gained, r.lost].forEach(function (v, i) { cells[i].textContent = fmt(v); });
    });
  }
  num.addEventListener("input", function () { slider.value = num.value; update(); });
  slider.addEventListener("input", function () { num.value = slider.value; update(); });
  select.addEventListener("change", function () {
    var p = data.policies[select.value]; if (p) { num.value = slider.value = p.threshold; }
    update();
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
})();
