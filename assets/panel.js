// Partner Panel: small behaviours on top of plain forms.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var msg = form.getAttribute && form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    ev.preventDefault();
  }
});
// The sign-in form sends the browser's time zone: it becomes the login's when it has none.
document.addEventListener("DOMContentLoaded", function () {
  var tz = document.getElementById("browser-time-zone");
  if (tz && window.Intl && Intl.DateTimeFormat) {
    try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
  }
});
// The menu's groups stay as the person left them (the one holding the current page opens).
document.addEventListener("DOMContentLoaded", function () {
  var key = "pp-menu-closed", closed = [];
  try { closed = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) {}
  document.querySelectorAll("#menu details[data-group]").forEach(function (d) {
    var g = d.getAttribute("data-group");
    if (closed.indexOf(g) >= 0 && !d.hasAttribute("data-current")) d.open = false;
    d.addEventListener("toggle", function () {
      var i = closed.indexOf(g);
      if (d.open && i >= 0) closed.splice(i, 1);
      if (!d.open && i < 0) closed.push(g);
      try { localStorage.setItem(key, JSON.stringify(closed)); } catch (e) {}
    });
  });
});

// ---- tables and forms (shared components) ----
// A select with data-autosubmit sends its form when changed (page size).
document.addEventListener("change", function (ev) {
  var t = ev.target;
  if (t.hasAttribute && t.hasAttribute("data-autosubmit") && t.form) {
    t.form.submit();
  }
  // The header checkbox selects every row of its table.
  if (t.classList && t.classList.contains("select-all")) {
    var table = t.closest("table");
    table.querySelectorAll("input.row-select").forEach(function (c) { c.checked = t.checked; });
  }
  if (t.tagName === "SELECT" || t.type === "radio") { applyShows(); }
});
// A bulk form asks for a confirmation naming how many rows it changes:
// data-bulk-confirm="Suspend {n} account(s)?" on the button pressed.
document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("button[data-bulk-confirm]");
  if (!b) { return; }
  var form = b.form;
  var n = 0;
  if (form) {
    for (var i = 0; i < form.elements.length; i++) {
      var e = form.elements[i];
      if (e.classList.contains("row-select") && e.checked) { n++; }
    }
  }
  if (n === 0) { ev.preventDefault(); window.alert("Select at least one row first."); return; }
  if (!window.confirm(b.getAttribute("data-bulk-confirm").replace("{n}", n).replace("{s}", n === 1 ? "" : "s"))) { ev.preventDefault(); return; }
  var count = form.querySelector("input.bulk-count");
  if (count) { count.value = n; }
});
// Fields that apply only to some choices: data-show-when="type=survey,coupon" shows the element
// only when the control named `type` of its form has one of those values. Without script,
// every field shows.
function applyShows() {
  document.querySelectorAll("[data-show-when]").forEach(function (el) {
    var spec = el.getAttribute("data-show-when").split("=");
    var form = el.closest("form");
    var ctl = form && form.elements[spec[0]];
    if (!ctl) { return; }
    var on = spec[1].split(",").indexOf(ctl.value) >= 0;
    el.hidden = !on;
    el.querySelectorAll("input,select,textarea").forEach(function (i) { i.disabled = !on; });
  });
}
document.addEventListener("DOMContentLoaded", applyShows);
// A file input with data-max-bytes: a file too large is said beside it before anything is sent
// (the panel refuses it the same way; this only saves the wait of an upload).
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!form.querySelectorAll) { return; }
  form.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var f = input.files && input.files[0];
    var id = input.id + "-error";
    var old = document.getElementById(id);
    if (!f || !(f.size > max)) { return; }
    ev.preventDefault();
    var size = function (n) {
      var mb = n / 1048576;
      return mb >= 1 ? (Math.round(mb * 10) / 10) + " MB" : Math.ceil(n / 1024) + " KB";
    };
    var what = input.getAttribute("data-what") || "file";
    var msg = "The " + what + " is " + size(f.size) + "; a " + what + " may be at most " + size(max);
    if (!old) {
      old = document.createElement("span");
      old.className = "field-error";
      old.id = id;
      input.closest("label").insertAdjacentElement("afterend", old);
    }
    old.textContent = msg;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.focus();
  });
});
