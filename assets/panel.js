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
