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
