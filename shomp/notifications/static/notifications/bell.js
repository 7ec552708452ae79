// The header bell stays true when pushes may have been missed: after the page's socket
// reconnects, and when the browser shows the page again from its back/forward cache.
(function () {
  "use strict";
  function sync() {
    var el = document.getElementById("notifications-sync");
    if (el && window.htmx) { window.htmx.trigger(el, "notifications:sync"); }
  }
  var opens = 0;
  document.addEventListener("htmx:wsOpen", function () {
    opens += 1;
    if (opens > 1) { sync(); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { sync(); }
  });
})();
